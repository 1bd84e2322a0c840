"""Account names in API paths become the canonical names the policy path counts under.

`/api/v1/accounts/ALICE/suspend` and `/api/v1/accounts/ａｌｉｃｅ/suspend` act on `alice`
([policy] account_names, strip_realms: fumidai.policy.names), so staff never suspend a
spelling that is not the account. A name that cannot be an account is answered 422.
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import quote

PREFIX = "/api/v1/accounts/"


class CanonicalAccountPath:
    """Pure ASGI middleware: rewrites the account segment of ``/api/v1/accounts/{account}…``."""

    def __init__(self, app: Any, namer: Callable[[str], str | None]) -> None:
        self.app = app
        self.namer = namer

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(PREFIX) and len(path) > len(PREFIX):
            raw, sep, rest = path[len(PREFIX):].partition("/")
            name = self.namer(raw)
            if name is None:
                body = json.dumps({"detail": "account: not an account name (control characters, or too long)"}).encode()
                await send({"type": "http.response.start", "status": 422,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            if name != raw:
                new = PREFIX + name + sep + rest
                scope = dict(scope, path=new, raw_path=quote(new, safe="/@:").encode())
        await self.app(scope, receive, send)
