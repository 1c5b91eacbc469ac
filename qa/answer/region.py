"""Which of a question's place words name the region it asks about: the model reads it.

jieba tags common nouns of landforms as places (河沟, 湖泊, 山区, 山林 are ``ns`` in its
dictionary, with 成都 and 万州), so "2023年重庆把那些不大不小的河沟整治了多少公里" read by
tags asks about a place called 河沟 that no passage names, and is refused as out of
scope. Neither the dictionary, nor suffixes, nor the embedder's closeness to the
corpus's own place tell the two apart (measured in session 19), but the question's
grammar does, and the chat model reads grammar: shown the question and its place
words, it returns those that say where, under a JSON schema whose items can only be
those words.

Measured on 18 questions (dev paraphrases and hand-written out-of-scope ones; local
1.5B model, 0.4-0.7 s each): it kept 重庆 and dropped 河沟, 湖泊 and the 山区 of
"支援山区库区县", and kept 成都市, 上海, 东京, 四川, 万州区 and 涪陵区 where asked.
An empty or unparseable reply is no verdict: the tags stand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from qa.text.entities import mentioned, places, tagger
from qa.text.script import normal_form

if TYPE_CHECKING:
    from qa.schema import Passage

# Worked examples on places no corpus here is about.
SYSTEM = (
    "问题问的是哪个地方（国家、省、市、区县等行政区域）的情况？从问题中的候选词里选出表示所问地方的词，"
    "可以选多个；河流、山区、森林这类表示事物或地形的词不算地方。"
    '例1：问题：2020年苏州市新建了多少条河道？候选：苏州市、河道。地方：["苏州市"]。'
    '例2：问题：2020年江苏南京市的人口是多少？候选：江苏、南京市。地方：["江苏","南京市"]。只输出JSON。'
)
KEY = "地方"


def schema(words: Sequence[str]) -> dict[str, Any]:
    """A JSON schema whose only valid replies list some of ``words``."""
    items = {"type": "string", "enum": list(words)}
    return {
        "type": "object",
        "properties": {KEY: {"type": "array", "items": items}},
        "required": [KEY],
    }


def messages(question: str, words: Sequence[str]) -> list[dict[str, str]]:
    """Example: ``messages("q", ["重庆", "河沟"])[1]["content"]`` ->
    ``"问题：q\\n候选：重庆、河沟\\n所问的地方是哪些？"``."""
    content = f"问题：{question}\n候选：{'、'.join(words)}\n所问的地方是哪些？"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]


def parse(raw: str, words: Sequence[str]) -> list[str] | None:
    """The ``words`` the reply names, in the question's order; None for no verdict
    (unparseable, or naming none of them).

    Example: ``parse('{"地方": ["重庆"]}', ["重庆", "河沟"])`` -> ``["重庆"]``;
    ``parse('{"地方": []}', ["河沟"])`` -> None.
    """
    from qa.answer.judge import reply_value

    named = reply_value(raw, KEY)
    if not isinstance(named, list):
        return None
    kept = [w for w in words if w in named]
    return kept or None


def read_places(model: BaseChatModel, question: str, words: Sequence[str]) -> list[str] | None:
    """The place words of ``question`` that name where it asks about, by the model; None
    when it gives no verdict."""
    from qa.answer.judge import schema_reply

    reply = schema_reply(model, messages(question, words), schema(words), max_tokens=48)
    return parse(reply, words)


_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|《[^》]*》|\"[^\"]*\"")


def place_scope(
    norm_question: str, passages: Sequence[Passage], asked: Sequence[str] | None = None
) -> tuple[list[str], list[Passage]]:
    """The places the question names that no passage (text or title) mentions, and the
    passages that mention every place it names. Places come from the question itself
    (``asked``, or else ``tagged_places``), not from a list of one country's cities, so a
    corpus about any region works the same way.

    Example: "成都市2024年地区生产总值是多少" over passages of a 重庆 report that never
    name 成都 -> ``(["成都市"], [])``; "2023年重庆gdp" over them -> ``([], passages)``.
    """
    from qa.answer.gate import passage_texts

    asked = tagged_places(norm_question) if asked is None else asked
    texts = [
        f"{normal_form(p.title)} {t}"
        for p, t in zip(passages, passage_texts(passages), strict=True)
    ]
    missing = [a for a in asked if not any(mentioned(a, t) for t in texts)]
    elsewhere = not_where(norm_question, missing, [a for a in asked if a not in missing])
    asked = [a for a in asked if a not in elsewhere]
    missing = [a for a in missing if a not in elsewhere]
    keep = [p for p, t in zip(passages, texts, strict=True) if all(mentioned(a, t) for a in asked)]
    return missing, keep


def tagged_places(norm_question: str) -> list[str]:
    """The question's place words by jieba's tags, outside quotes: a quoted name
    ("两岸青山·千里林带") is what is asked about, not where, though jieba tags 青山.

    Example: ``tagged_places("成都市2024年“两岸青山”建设")`` -> ``["成都市"]``.
    """
    return places(_QUOTED.sub(" ", norm_question))


def not_where(norm_question: str, missing: Sequence[str], named: Sequence[str]) -> list[str]:
    """Of the ``missing`` places (no passage names them), those the question's grammar
    names as where someone goes or whom it works with, not where its figure is: the
    object of a verb in a clause of its own ("专程跑北京争取支持"), or a place joined by 和
    or 、 to a ``named`` place or to such an object ("重庆和四川合力推进的项目"). A report
    on 重庆 states the figure without naming them. Every occurrence must be such; a place
    standing alone, before another ("重庆万州区", "成都市2024年") or in what qualifies the
    thing counted ("重庆到天津的快船") is where the question asks about.

    Example: ``not_where("2023年重庆领导专程跑北京拜访了多少个部门", ["北京"], ["重庆"])``
    -> ``["北京"]``; ``not_where("2023年重庆万州区的gdp", ["万州区"], ["重庆"])`` -> ``[]``.
    """
    if not missing:
        return []
    words = [(w, f) for w, f in tagger().cut(_QUOTED.sub(" ", norm_question)) if w.strip()]
    away = {i for i, (w, _) in enumerate(words) if w in missing and _after_verb(words, i)}
    for _ in range(2):  # a chain: 通到亚洲和欧洲 (亚洲 the object, 欧洲 joined to it)
        for i, (w, _flag) in enumerate(words):
            if w in missing and i not in away:
                partners = [j for j in (i - 2, i + 2) if _joined(words, i, j)]
                if any(words[j][0] in named or j in away for j in partners):
                    away.add(i)
    return [m for m in missing if all(i in away for i, (w, _) in enumerate(words) if w == m)]


def _after_verb(words: Sequence[tuple[str, str]], i: int) -> bool:
    """Word ``i`` is the object of a verb in a clause of its own: "跑北京争取支持", not
    "到天津的快船", where the place with its verb says which thing is counted. A verbal
    noun (发展, 建设) names an activity, not a motion with an object."""
    if i == 0 or not words[i - 1][1].startswith("v") or words[i - 1][1] == "vn":
        return False
    return i + 1 >= len(words) or words[i + 1][0] != "的"


def _joined(words: Sequence[tuple[str, str]], i: int, j: int) -> bool:
    """Words ``i`` and ``j`` are places joined by a conjunction or 、 between them."""
    if not 0 <= j < len(words) or words[j][1] != "ns":
        return False
    link = words[(i + j) // 2]
    return link[1] == "c" or link[0] == "、"
