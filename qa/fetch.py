"""``python -m qa.fetch``: the documented command that fetches the default local model.

The code lives in ``qa.answer.fetch``; this entry keeps the command users know (setup,
error messages) stable.
"""

from __future__ import annotations

if __name__ == "__main__":
    from qa.answer.fetch import main

    raise SystemExit(main())
