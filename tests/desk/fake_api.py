"""A fake of the HTTP API (docs/api.md) for desk tests: a real HTTP server on 127.0.0.1:0 in a thread.

Fixed, configurable data; it can inject delays and errors, checks the bearer token (401) and the
role (403 for a viewer on anything but GET), and records every write it received.

    with FakeApi(accounts=50) as api:
        client = ApiClient(api.url, api.token("operator"))
        api.delay = 3.0            # every request waits 3 s
        api.fail_next(2, 500)      # the next two requests answer 500
        api.add_alert("mallory", kind="auto_suspend")
        api.posts                  # [(method, path, json_body, staff_name), ...]
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = "/api/v1"
COUNTRIES = ("JP", "JP", "JP", "US", "CN", "KR", "BR", "DE", "VN", "IN")
TEMPLATES = [  # as GET /templates: "description" in English, "descriptions" per language
    {"name": name, "languages": ["en", "ja"], "description": en, "descriptions": {"en": en, "ja": ja}}
    for name, en, ja in (("restored", "Sending has been restored", "送信停止を解除したことのお知らせ"),
                         ("suspended_auto", "Sending was stopped automatically", "送信を自動停止したことのお知らせ"),
                         ("suspended_staff", "Sending stopped", "担当者の判断で送信を停止したことのお知らせ"),
                         ("warning", "Unusual sending", "普段と異なる送信の注意喚起"))
]
# What the behaviour analysis, complaints and permissions add to account rows and details (the
# contract the desk is built against); an account without them is an older backend's.
CONTRACT_FIELDS = ("risk", "permissions", "complaints", "client_address", "network", "asn",
                   "recent")  # recent: a test may set its own decisions
TOKENS = {"admin-token": ("root", "admin"), "operator-token": ("bob", "operator"), "viewer-token": ("vic", "viewer")}


def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_account(i: int, name: str | None = None, **overrides) -> dict:
    """One account as the API's AccountRow plus the search fields, deterministic in i."""
    rate = float((i * 7) % 23)
    hour = int(rate * 20)
    row = {
        "account": name or f"user{i:04d}",
        "contact": f"{name or f'user{i:04d}'}@example.jp",
        "owner_name": f"Owner {i}",
        "language": "ja" if i % 3 else "en",
        "status": "ok",
        "suspended_by": None,
        "status_since": None,
        "rate": rate,
        "recipients_rate": rate * 2,
        "messages_minute": int(rate),
        "messages_hour": hour,
        "messages_day": hour * 3,
        "recipients_hour": hour * 2,
        "recipients_day": hour * 6,
        "refused_day": 0,
        "quota": {"messages_per_hour": 100, "messages_per_day": 500},
        "quota_used": round(max(hour / 100, hour * 3 / 500), 3),
        "override": False,
        "override_expires_at": None,
        "top_country": COUNTRIES[i % len(COUNTRIES)],
        "countries": 1 + i % 3,
    }
    row.update(overrides)
    return row


class FakeApi:
    def __init__(self, accounts: int | list[dict] = 20, alerts: int = 0, now: float | None = None,
                 ssl_context=None, host: str = "127.0.0.1"):
        self.now = now if now is not None else time.time()
        if isinstance(accounts, int):
            accounts = [make_account(i) for i in range(accounts)]
        self.lock = threading.Lock()
        self.accounts: dict[str, dict] = {a["account"]: dict(a) for a in accounts}
        self.alerts: list[dict] = []
        self.in_flight: set[int] = set()  # alert ids taken but not committed: not shown yet
        self.audit: list[dict] = []
        self.notices: dict[str, dict] = {}
        self.posts: list[tuple[str, str, dict | None, str]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self.tokens = dict(TOKENS)
        self.delay = 0.0  # seconds before every answer
        self.delay_paths: dict[str, float] = {}  # path prefix (after /api/v1) -> extra delay
        self._fail: list[int] = []  # statuses for the next requests, in order
        self.fail_always: int | None = None
        self.without_history_csv = False  # an older backend: history.csv answers 404
        self.templates = [t["name"] for t in TEMPLATES]  # drop "restored" for a backend without it
        self.without_ack = False  # an older backend: alerts without acked_by, no /ack
        self.without_incidents = False  # an older backend: /incidents answers 404
        self.incidents: list[dict] = []
        # Reputation (GET /blocklists, /complaints): the real backend's shapes (docs/api.md).
        self.without_reputation = False  # an older backend: /blocklists and the complaints 404
        self.egress: list[str] = ["203.0.113.10"]
        self.zones: list[str] = ["zen.spamhaus.org", "bl.spamcop.net"]
        self.blocklist_items: list[dict] = []  # pairs checked so far (set_blocklist)
        self.complaints: list[dict] = []  # oldest first (add_complaint)
        self.senders: dict[str, list[dict]] = {}  # egress -> accounts that sent most before its listing
        self.senders_asked: list[tuple[str, int]] = []  # (egress, hours) of each senders read
        self.notice_status = "sent"  # "queued": notices wait for deliver_notices(), as the real outbox
        for n in range(alerts):
            self.add_alert(f"user{n:04d}")
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # refused TLS handshakes are expected
        self.scheme = "http"
        if ssl_context is not None:  # serve HTTPS, e.g. with an expired or self-signed certificate
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    @staticmethod
    def token(role: str) -> str:
        return f"{role}-token"

    def start(self) -> FakeApi:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down and free the port; a client then sees 'connection refused'."""
        if self._thread:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self.lock:
            self._fail.extend([status] * count)

    def add_alert(self, account: str, kind: str = "auto_suspend", reason: str = "quota:messages_per_hour",
                  country: str | None = "CN", detail: dict | None = None, committed: bool = True) -> dict:
        """An alert; ``committed=False`` takes its id but hides it until ``commit_alert`` (a
        transaction still open on another node while later alerts commit)."""
        with self.lock:
            if not committed:
                self.in_flight.add(len(self.alerts) + 1)
            alert = {"id": len(self.alerts) + 1, "time": iso(self.now), "account": account, "kind": kind,
                     "reason": reason, "country": country,
                     "detail": detail if detail is not None else {"limit": 100, "value": 150}}
            if not self.without_ack:  # the contract: acknowledgements kept by the backend
                alert.update(acked_by=None, acked_at=None)
            self.alerts.append(alert)
            return alert

    def _newest_alert(self) -> int:
        return max((a["id"] for a in self.alerts if a["id"] not in self.in_flight), default=0)

    def commit_alert(self, alert_id: int) -> None:
        with self.lock:
            self.in_flight.discard(alert_id)

    def set_blocklist(self, egress: str, zone: str, status: str = "listed", txt: str | None = None,
                      delist_url: str = "", error: str | None = None) -> dict:
        """One egress address × zone as the backend's checker last saw it."""
        with self.lock:
            item = {"egress": egress, "zone": zone, "status": status, "since": iso(self.now - 3600),
                    "checked_at": iso(self.now), "answers": ["127.0.0.2"] if status == "listed" else [],
                    "meaning": "SBL" if status == "listed" and "spamhaus" in zone else None,
                    "txt": txt, "error": error, "delist_url": delist_url}
            self.blocklist_items = [i for i in self.blocklist_items
                                    if (i["egress"], i["zone"]) != (egress, zone)] + [item]
            return item

    def add_complaint(self, account: str, subject: str | None = "Cheap watches",
                      reporter: str = "staff@hotmail.com", feedback_type: str = "abuse") -> dict:
        with self.lock:
            cid = len(self.complaints) + 1
            c = {"id": cid, "account": account, "received_at": iso(self.now - 60 * (10 - cid % 10)),
                 "kind": "arf", "feedback_type": feedback_type, "reporter": reporter, "user_agent": None,
                 "report_message_id": f"<report{cid}@hotmail.com>", "reported_at": None,
                 "arrived_at": iso(self.now - 600), "original_message_id": f"<m{cid}@example.jp>",
                 "subject": subject, "original_date": iso(self.now - 900), "source_ip": "203.0.113.10",
                 "origin": "-"}
            self.complaints.append(c)
            return c

    def deliver_notices(self) -> None:
        """The outbox delivers every queued notice."""
        with self.lock:
            for n in self.notices.values():
                if n["status"] == "queued":
                    n.update(status="sent", sent_at=iso(self.now))

    def set_account(self, name: str, **fields) -> None:
        with self.lock:
            if name not in self.accounts:
                self.accounts[name] = make_account(len(self.accounts), name)
            self.accounts[name].update(fields)

    def remove_account(self, name: str) -> None:
        with self.lock:
            self.accounts.pop(name, None)

    # -- views ------------------------------------------------------------------------------------
    def _row(self, a: dict) -> dict:
        return {k: v for k, v in a.items() if k not in ("contact", "owner_name", "language")}

    def _countries(self) -> list[dict]:
        out: dict[str, dict] = {}
        for a in self.accounts.values():
            c = out.setdefault(a["top_country"], {"country": a["top_country"], "messages": 0, "recipients": 0,
                                                   "refused": 0, "accounts": 0})
            c["messages"] += a["messages_hour"]
            c["recipients"] += a["recipients_hour"]
            c["refused"] += a["refused_day"]
            c["accounts"] += 1
        return sorted(out.values(), key=lambda c: -c["messages"])

    def overview(self, window: int, limit: int) -> dict:
        rows = sorted(self.accounts.values(), key=lambda a: (-a["rate"], a["account"]))
        return {
            "time": iso(self.now), "window": window,
            "totals": {
                "messages_per_minute": sum(a["rate"] for a in rows),
                "recipients_per_minute": sum(a["recipients_rate"] for a in rows),
                "messages": sum(a["messages_hour"] for a in rows),
                "recipients": sum(a["recipients_hour"] for a in rows),
                "active_accounts": len(rows),
                "suspended_accounts": sum(a["status"] == "suspended" for a in rows),
                "limited_accounts": sum(a["status"] == "limited" for a in rows),
            },
            "top": [self._row(a) for a in rows[:limit]],
            "countries": [{k: c[k] for k in ("country", "messages", "recipients", "accounts")}
                          for c in self._countries()],
            "newest_alert_id": self._newest_alert(),
        }

    def detail(self, a: dict) -> dict:
        limits = {"account": dict(a["quota"]), "abroad": {"messages_per_day": 20, "on_limit": "reject"},
                  "countries": {}, "home_countries": ["JP"]}
        susp = None
        if a["status"] == "suspended":
            susp = {"by": a["suspended_by"], "reason": a.get("_reason", ""), "since": a["status_since"],
                    "until": None}
        return {
            "account": a["account"], "contact": a["contact"], "owner_name": a["owner_name"],
            "language": a["language"], "home_countries": ["JP"], "known": True, "status": a["status"],
            "suspension": susp, "limits": limits, "defaults": copy.deepcopy(limits),
            "override": a.get("_override"),
            "usage": {
                "minute": {"messages": a["messages_minute"], "recipients": a["messages_minute"] * 2},
                "hour": {"messages": a["messages_hour"], "recipients": a["recipients_hour"]},
                "day": {"messages": a["messages_day"], "recipients": a["recipients_day"]},
                "refused_day": {"messages": a["refused_day"], "recipients": a["refused_day"]},
                "unique_recipients_day": a["recipients_day"] // 2,
                "countries": [{"country": a["top_country"], "messages_hour": a["messages_hour"],
                               "messages_day": a["messages_day"], "recipients_day": a["recipients_day"],
                               "refused_day": a["refused_day"]}],
            },
            "recent": [{"time": iso(self.now), "stage": "DATA", "action": "DUNNO", "reason": "",
                        "country": a["top_country"], "client_address": "203.0.113.5", "recipients": 2}],
            "notices": [n for n in self.notices.values() if n["account"] == a["account"]],
        } | {k: copy.deepcopy(a[k]) for k in CONTRACT_FIELDS if k in a}

    def series(self, a: dict, window: int, step: int) -> dict:
        n = max(1, window // step)
        end = int(self.now // step) * step
        start = end - (n - 1) * step
        per = max(0, round(a["messages_hour"] * step / 3600))
        pts = []
        for k in range(n):
            m = per + (k % 3)
            pts.append({"time": iso(start + k * step), "messages": m, "recipients": 2 * m, "refused": 0,
                        "refused_recipients": 0, "by_country": {a["top_country"]: m} if m else {},
                        "recipients_by_country": {a["top_country"]: 2 * m} if m else {}})
        return {"account": a["account"], "start": iso(start), "step": step, "points": pts}

    def _audit(self, actor: str, action: str, account: str, reason: str, before, after) -> int:
        self.audit.append({"id": len(self.audit) + 1, "time": iso(self.now), "actor": actor, "action": action,
                           "account": account, "reason": reason, "before": before, "after": after})
        return len(self.audit)

    # -- HTTP -------------------------------------------------------------------------------------
    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status: int, body, content_type: str = "application/json") -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                path = parts.path  # segments are unquoted one by one: account names may hold "/"
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with api.lock:
                    api.requests.append((method, self.path))
                    extra = next((d for p, d in api.delay_paths.items() if path.startswith(PREFIX + p)), 0.0)
                    fail = api._fail.pop(0) if api._fail else api.fail_always
                if api.delay or extra:
                    time.sleep(api.delay + extra)
                if fail:
                    return self._send(fail, {"detail": f"injected failure {fail}"})
                if not path.startswith(PREFIX + "/"):
                    return self._send(404, {"detail": "not found"})
                route = path[len(PREFIX):]
                if route == "/health":
                    return self._send(200, {"status": "ok", "version": "0.1.0", "time": iso(api.now), "node": "fake"})
                auth = self.headers.get("Authorization", "")
                staff = api.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                if not staff:
                    return self._send(401, {"detail": "missing or invalid token"})
                name, role = staff
                body = None
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        return self._send(422, {"detail": "body is not JSON"})
                if method != "GET":
                    if role == "viewer":
                        return self._send(403, {"detail": "viewer tokens cannot change anything"})
                    with api.lock:
                        api.posts.append((method, unquote(route), body, name))
                with api.lock:
                    status, out = api._route(method, route, query, body or {}, name, role)
                if isinstance(out, str):
                    return self._send(status, out, "text/csv; charset=utf-8")
                return self._send(status, out)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PUT(self):
                self._handle("PUT")

            def do_DELETE(self):
                self._handle("DELETE")

            def do_PATCH(self):
                self._handle("PATCH")

        return Handler

    def _route(self, method: str, route: str, q: dict, body: dict, staff: str, role: str):
        seg = [unquote(x) for x in route.strip("/").split("/")]
        if method == "GET" and route == "/me":
            return 200, {"name": staff, "role": role}
        if method == "GET" and route == "/overview":
            return 200, self.overview(int(q.get("window", 60)), int(q.get("limit", 50)))
        if method == "GET" and route == "/countries":
            return 200, {"window": int(q.get("window", 3600)), "items": self._countries()}
        if method == "GET" and route == "/alerts":
            after, limit = int(q.get("after_id", 0)), int(q.get("limit", 200))
            items = [a for a in self.alerts if a["id"] > after and a["id"] not in self.in_flight][:limit]
            next_after = after
            for a in items:  # as the server: never past an id that may still commit
                if a["id"] != next_after + 1:
                    break
                next_after = a["id"]
            return 200, {"items": items, "newest_id": self._newest_alert(), "next_after_id": next_after}
        if method == "POST" and len(seg) == 3 and seg[0] == "alerts" and seg[2] == "ack" and not self.without_ack:
            alert = next((a for a in self.alerts if str(a["id"]) == seg[1]), None)
            if alert is None:
                return 404, {"detail": "no such alert"}
            alert.update(acked_by=staff, acked_at=iso(self.now), ack_note=body.get("note"))
            return 200, alert
        if method == "GET" and route == "/blocklists" and not self.without_reputation:
            return 200, {"egress": list(self.egress), "zones": list(self.zones),
                         "items": copy.deepcopy(self.blocklist_items)}
        if (method == "GET" and len(seg) == 3 and seg[0] == "blocklists" and seg[2] == "senders"
                and not self.without_reputation):
            egress, hours = seg[1], int(q.get("hours", 6))
            if egress not in self.egress:
                return 404, {"detail": "not an egress address of this server"}
            self.senders_asked.append((egress, hours))
            listed = sorted((i for i in self.blocklist_items if i["egress"] == egress and i["status"] == "listed"),
                            key=lambda i: i["since"])
            return 200, {"egress": egress, "listed": bool(listed), "zones": sorted(i["zone"] for i in listed),
                         "listed_at": listed[0]["since"] if listed else None, "hours": hours,
                         "items": copy.deepcopy(self.senders.get(egress, [])) if listed else []}
        if method == "GET" and route == "/complaints" and not self.without_reputation:
            after, limit = int(q.get("after_id", 0)), int(q.get("limit", 200))
            items = [c for c in self.complaints if c["id"] > after][:limit]
            return 200, {"items": copy.deepcopy(items), "newest_id": self.complaints[-1]["id"] if self.complaints else 0,
                         "kept_aside": 0}
        if seg[0] == "incidents" and not self.without_incidents:
            return self._incident_route(method, seg, q, body, staff)
        if method == "GET" and route == "/accounts":
            return 200, self._search(q)
        if method == "GET" and route == "/templates":
            # The bundled templates' names, in the backend's (alphabetical) order: "restored" comes
            # first, so a desk that offered the first one would tell a stopped account's owner it is free.
            return 200, {"items": [t for t in TEMPLATES if t["name"] in self.templates]}
        if method == "GET" and route == "/audit":
            after = int(q.get("after_id", 0))
            items = [e for e in self.audit if e["id"] > after and q.get("account") in (None, "", e["account"])]
            return 200, {"items": items, "newest_id": self.audit[-1]["id"] if self.audit else 0}
        if method == "GET" and route == "/trends":
            days = int(q.get("days", 28))
            day0 = dt.datetime.fromtimestamp(self.now, dt.UTC).date()
            return 200, {"days": [{"date": (day0 - dt.timedelta(days=days - 1 - k)).isoformat(),
                                   "accepted": 1000 + 10 * k, "refused": 30 + k, "auto_suspensions": k % 3,
                                   "top_countries": [{"country": "JP", "messages": 900}]} for k in range(days)]}
        if len(seg) >= 2 and seg[0] == "accounts":
            a = self.accounts.get(seg[1])
            if a is None:
                return 404, {"detail": f"unknown account {seg[1]}"}
            rest = "/".join(seg[2:])
            if method == "GET" and rest == "":
                return 200, self.detail(a)
            if method == "GET" and rest == "series":
                window = int(q.get("window", 3600))
                if window > 86400:  # as the real backend: the live windows hold one day
                    return 422, {"detail": "window: at most 86400"}
                return 200, self.series(a, window, int(q.get("step", 60)))
            if method == "GET" and rest == "complaints" and not self.without_reputation:
                limit = int(q.get("limit", 100))
                mine = [c for c in reversed(self.complaints) if c["account"] == a["account"]][:limit]
                return 200, {"account": a["account"], "items": copy.deepcopy(mine)}
            if method == "GET" and rest == "history.csv" and not self.without_history_csv:
                return 200, ("hour,country,accepted_messages,accepted_recipients,refused_messages,refused_recipients\n"
                             f"{iso(self.now)},{a['top_country']},{a['messages_hour']},{a['recipients_hour']},0,0\n")
            return self._act(method, rest, a, body, staff)
        return 404, {"detail": "not found"}

    def _incident_route(self, method: str, seg: list[str], q: dict, body: dict, staff: str):
        if method == "GET" and len(seg) == 1:
            items = [i for i in self.incidents if q.get("status") in (None, "", i["status"])]
            return 200, {"items": copy.deepcopy(items)}
        if method == "POST" and len(seg) == 1:
            if body.get("account") not in self.accounts:
                return 404, {"detail": "unknown account"}
            i = {"id": len(self.incidents) + 1, "account": body["account"], "alert_id": body.get("alert_id"),
                 "owner": None, "status": "open", "notes": [], "opened_at": iso(self.now), "updated_at": iso(self.now)}
            self.incidents.append(i)
            self._audit(staff, "incident_open", body["account"], "", None, {"id": i["id"]})
            return 201, i
        if method == "PATCH" and len(seg) == 2:
            i = next((x for x in self.incidents if str(x["id"]) == seg[1]), None)
            if i is None:
                return 404, {"detail": "no such incident"}
            if body.get("status") not in (None, "open", "investigating", "closed"):
                return 422, {"detail": "bad status"}
            for key in ("owner", "status"):
                if body.get(key) is not None:
                    i[key] = body[key]
            if body.get("note"):
                i["notes"].append({"at": iso(self.now), "by": staff, "text": body["note"]})
            i["updated_at"] = iso(self.now)
            return 200, i
        return 404, {"detail": "not found"}

    def _search(self, q: dict) -> dict:
        rows = list(self.accounts.values())
        text = q.get("q", "").lower()
        if text:
            rows = [a for a in rows if text in a["account"].lower() or text in a["contact"].lower()]
        status = q.get("status", "all") or "all"
        if status == "active":
            rows = [a for a in rows if a["messages_day"] > 0]
        elif status != "all":
            rows = [a for a in rows if a["status"] == status]
        if q.get("country"):
            rows = [a for a in rows if a["top_country"] == q["country"]]
        sort = q.get("sort") or "account"
        key = sort.lstrip("-")
        rows.sort(key=lambda a: a[key], reverse=sort.startswith("-"))
        offset, limit = int(q.get("offset", 0)), int(q.get("limit", 100))
        return {"total": len(rows), "items": rows[offset:offset + limit]}

    def _act(self, method: str, rest: str, a: dict, body: dict, staff: str):
        reason = body.get("reason", "")
        if method in ("POST", "PUT", "DELETE") and rest in ("suspend", "release", "limits") and not reason:
            return 422, {"detail": "a reason is required"}
        if method == "POST" and rest == "suspend":
            before = a["status"]
            if before == "suspended" and body.get("unless_suspended"):
                return 409, {"detail": f"account {a['account']!r} is suspended already (by {a['suspended_by']})"}
            self._suspension_ids = getattr(self, "_suspension_ids", 0) + 1
            a.update(status="suspended", suspended_by=staff, status_since=iso(self.now), _reason=reason,
                     _suspension_id=self._suspension_ids)
            out = self.detail(a) | {"audit_id": self._audit(staff, "suspend", a["account"], reason,
                                                             {"status": before}, {"status": "suspended"}),
                                    "suspension_id": self._suspension_ids}
            if body.get("notice"):
                out["notice"] = self._notice(a, body["notice"], staff, body["notice"].get("idempotency_key"))
            return 200, out
        if method == "POST" and rest == "release":
            if a["status"] != "suspended":
                return 409, {"detail": "the account is not suspended"}
            if body.get("suspension_id") not in (None, a.get("_suspension_id")):
                return 409, {"detail": "the account is now suspended by another suspension: not released"}
            a.update(status="ok", suspended_by=None, status_since=None)
            return 200, self.detail(a) | {"audit_id": self._audit(staff, "release", a["account"], reason,
                                                                   {"status": "suspended"}, {"status": "ok"})}
        if method == "PUT" and rest == "limits":
            before = dict(a["quota"])
            a["quota"] = {k: v for k, v in (body.get("limits") or {}).items() if k.startswith("messages_")} or before
            a["override"] = True
            a["override_expires_at"] = body.get("expires_at")
            a["_override"] = {"limits": body.get("limits") or {}, "home_countries": body.get("home_countries"),
                              "abroad": body.get("abroad"), "countries": body.get("countries"),
                              "expires_at": body.get("expires_at"), "set_by": staff, "reason": reason}
            return 200, self.detail(a) | {"audit_id": self._audit(staff, "limits", a["account"], reason,
                                                                   before, a["quota"])}
        if method == "DELETE" and rest == "limits":
            a.update(quota={"messages_per_hour": 100, "messages_per_day": 500}, override=False,
                     override_expires_at=None, _override=None)
            return 200, self.detail(a) | {"audit_id": self._audit(staff, "limits_reset", a["account"], reason,
                                                                   None, a["quota"])}
        if rest in ("permissions/travel", "probation/clear") and not reason:
            return 422, {"detail": "a reason is required"}
        if rest == "permissions/travel" and "permissions" not in a:
            return 404, {"detail": "not found"}  # an older backend
        if method == "PUT" and rest == "permissions/travel":
            before = a["permissions"].get("travel")
            a["permissions"]["travel"] = {"countries": body.get("countries") or [], "expires_at": body.get("expires_at"),
                                          "reason": reason}
            return 200, self.detail(a) | {"audit_id": self._audit(staff, "travel", a["account"], reason, before,
                                                                   a["permissions"]["travel"])}
        if method == "DELETE" and rest == "permissions/travel":
            before = a["permissions"].get("travel")
            a["permissions"]["travel"] = None
            return 200, self.detail(a) | {"audit_id": self._audit(staff, "travel_end", a["account"], reason, before,
                                                                   None)}
        if method == "POST" and rest == "probation/clear":
            if (a.get("risk") or {}).get("level") != "probation":
                return 409 if "risk" in a else 404, {"detail": "not on probation"}
            a["risk"] = {"level": "none", "score": 0.0, "reasons": []}
            return 200, self.detail(a) | {"audit_id": self._audit(staff, "probation_clear", a["account"], reason,
                                                                   {"level": "probation"}, {"level": "none"})}
        if method == "POST" and rest == "notices/preview":
            lang = body.get("language", a["language"])
            return 200, {"subject": f"[{lang}] {body.get('template', '')}: {a['account']}",
                         "body": f"Dear {a['owner_name']}, sending from {a['account']} was stopped.",
                         "to": a["contact"]}
        if method == "POST" and rest == "notices":
            key = body.get("idempotency_key")
            if key and key in self.notices:
                return 200, self.notices[key]
            if body.get("template") not in self.templates:
                return 422, {"detail": f"unknown template {body.get('template')}"}
            return 201, self._notice(a, body, staff, key)
        return 404, {"detail": "not found"}

    def _notice(self, a: dict, body: dict, staff: str, key: str | None) -> dict:
        n = {"id": len(self.notices) + 1, "account": a["account"], "template": body.get("template", "suspended"),
             "language": body.get("language", a["language"]), "status": self.notice_status, "staff": staff,
             "created_at": iso(self.now), "sent_at": iso(self.now) if self.notice_status == "sent" else None,
             "error": None}
        self.notices[key or f"auto-{n['id']}"] = n
        return n
