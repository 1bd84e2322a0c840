"""Test data shared by several parts: the real Postfix requests from ../shared/fixtures."""

from __future__ import annotations

import ast
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# In CI, shared/ is a sibling of the clone; a copy in tests/data keeps a lone checkout working.
_CANDIDATES = [
    Path(os.environ.get("FUMIDAI_SHARED", _HERE.parent.parent / "shared")) / "fixtures" / "postfix-policy-requests.txt",
    _HERE / "data" / "postfix-policy-requests.txt",
]


def postfix_requests() -> list[bytes]:
    """The exact request bytes Postfix 3.7 sent for one message with two recipients."""
    for path in _CANDIDATES:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            return [ast.literal_eval(line) for line in text.splitlines() if line.startswith("b'")]
    raise FileNotFoundError("postfix-policy-requests.txt not found")


def postfix_attrs(stage: str = "RCPT", **changes: str) -> dict[str, str]:
    """Attributes of the fixture's first request at ``stage``, with some changed."""
    from fumidai.postfix.codec import parse_request

    reqs = {parse_request(r[:-2])["protocol_state"]: parse_request(r[:-2]) for r in postfix_requests()}
    attrs = dict(reqs[stage])
    attrs.update(changes)
    return attrs
