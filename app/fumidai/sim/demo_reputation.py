"""The demo's reputation story: complaints about a hijacked account's spam, then a blocklist listing.

``fumidai demo`` watches two egress addresses on a DNS blocklist of its own: dnslib's server on
loopback (sim/dnsbl.py, the one the monitor's tests use), run in this process and stopped with
the demo. Once a hijacked account has had a few spam messages accepted, the demo turns the
trace headers the policy server PREPENDed to them into feedback-loop reports (ARF, RFC 5965, as a
mailbox provider sends them) and posts them to ``POST /api/v1/complaints`` — the real intake
path — and then lists the first egress address on its blocklist. The server's monitor sees the
listing at its next round; the demo prints it with the accounts that sent most in the hours
before it (``GET /api/v1/blocklists/{egress}/senders``). The desk shows all of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable

from ..errors import FumidaiError

EGRESS = ("192.0.2.25", "192.0.2.26")  # TEST-NET-1: documentation addresses, never routed
ZONE = "dnsbl.demo.example"
LISTED_TXT = "Listed by the Fumidai demo: spam from this address reported by a feedback loop"
INTERVAL = 10.0  # seconds between the monitor's rounds (the smallest [blocklists] interval)
COMPLAINTS = 2  # reports about one hijacked account: an alert (three would suspend it)
LIST_ANYWAY_AFTER = 60.0  # real seconds: list the address even if no hijacked spam got through
POLL_EVERY = 1.0  # seconds between the demo's looks at the API while it waits for the listing
SENDER_HOURS = 6
REPORTER = "mail.example"  # the mailbox provider whose feedback loop complains


def reversed_name(address: str, zone: str = ZONE) -> str:
    """``192.0.2.25`` -> ``25.2.0.192.<zone>``: the name a DNSBL is asked about (IPv4)."""
    return ".".join(reversed(address.split("."))) + "." + zone


def arf_report(result, trace: str, n: int, when: dt.datetime) -> bytes:
    """A feedback-loop report (ARF) about one accepted message, with the original's headers as sent:
    the trace header the policy server PREPENDed is what maps it back to the account."""
    sub = result.submission
    date = email.utils.format_datetime(when)
    sender = sub.sender or sub.account
    rcpt = sub.recipients[0] if sub.recipients else f"user{n}@{REPORTER}"
    boundary = f"fumidai-demo-report-{sub.seq}-{n}"
    original = (f"Received: from submit.isp.example ({EGRESS[0]}) by mx.{REPORTER}; {date}\n"
                f"{trace}\n"
                f"From: <{sender}>\nTo: <{rcpt}>\n"
                f"Subject: Congratulations, you have won a prize ({sub.seq})\n"
                f"Date: {date}\nMessage-ID: <demo-{sub.seq}@isp.example>\nMIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=us-ascii\n\nredacted\n")
    report = (f"From: Feedback Loop <fbl@{REPORTER}>\nTo: fbl@isp.example\n"
              f"Subject: Abuse report for a message from {EGRESS[0]}\nDate: {date}\n"
              f"Message-ID: <fbl-{sub.seq}-{n}@{REPORTER}>\nMIME-Version: 1.0\n"
              f'Content-Type: multipart/report; report-type=feedback-report; boundary="{boundary}"\n\n'
              f"--{boundary}\nContent-Type: text/plain; charset=us-ascii\n\n"
              f"A user of {REPORTER} marked this message as spam.\n\n"
              f"--{boundary}\nContent-Type: message/feedback-report\n\n"
              f"Feedback-Type: abuse\nUser-Agent: DemoFBL/1.0\nVersion: 1\nOriginal-Mail-From: <{sender}>\n"
              f"Arrival-Date: {date}\nSource-IP: {EGRESS[0]}\nReported-Domain: isp.example\n\n"
              f"--{boundary}\nContent-Type: message/rfc822\n\n{original}\n--{boundary}--\n")
    return report.encode("ascii", "replace")


class DemoReputation:
    """The loopback blocklist, the complaints, the listing; ``step()`` is called from the demo's watch loop."""

    def __init__(self, say: Callable[[str], None], printable: Callable[[str, int], str]) -> None:
        self.say = say
        self.printable = printable
        self._stack = contextlib.ExitStack()
        self.dns = None  # sim.dnsbl.TableResolver once started
        self.api = None
        self.traffic = None
        self.started_at = 0.0
        self.stage = "spam"  # spam -> listing -> done
        self._scanned = 0
        self._traced: dict[str, list] = {}  # hijacked account -> its accepted spam with a trace header
        self._next_poll = 0.0
        self.complained: str = ""  # the account the reports were about
        self.listed_seen = False

    def start(self) -> int:
        """Serve the blocklist on a loopback port the kernel picks; returns the port."""
        from .dnsbl import dnsbl_server

        self.dns = self._stack.enter_context(dnsbl_server(0))
        return self.dns.port

    def config(self) -> str:
        """The [blocklists] section of the demo's configuration."""
        egress = ", ".join(f'"{a}"' for a in EGRESS)
        return (f"[blocklists]\negress = [{egress}]\n"
                f'zones = [{{zone = "{ZONE}", listed = {{"127.0.0.2" = "demo"}}}}]\n'
                f'nameservers = ["127.0.0.1:{self.dns.port}"]\ninterval = {INTERVAL:g}\ntimeout = 2\n')

    def attach(self, api, traffic) -> None:
        """The API and the traffic are up: the story can begin."""
        self.api, self.traffic = api, traffic
        self.started_at = time.monotonic()
        self.say(f"  egress {', '.join(EGRESS)} watched on the demo's DNS blocklist {ZONE} "
                 f"(127.0.0.1:{self.dns.port}, every {INTERVAL:g} s); a few complaints and a listing follow "
                 "the first hijack")

    def stop(self) -> None:
        self._stack.close()

    # -- each turn of the watch loop ------------------------------------------------------------

    def step(self) -> None:
        if self.api is None or self.stage == "done":
            return
        try:
            if self.stage == "spam":
                self._look_for_spam()
            elif self.stage == "listing" and time.monotonic() >= self._next_poll:
                self._next_poll = time.monotonic() + POLL_EVERY
                self._look_for_listing()
        except (OSError, ValueError, KeyError, TypeError, FumidaiError) as err:
            # The story is a side show: a failure is said once and the demo goes on.
            self.say(f"reputation: {self.printable(str(err), 100)}; the demo goes on without it")
            self.stage = "done"

    def _look_for_spam(self) -> None:
        results = self.traffic.results
        end = len(results)
        for r in results[self._scanned:end]:
            if r.submission.spam and r.outcome == "accepted" and r.trace:
                self._traced.setdefault(r.account, []).append(r)
        self._scanned = end
        ready = [a for a, rs in self._traced.items() if len(rs) >= COMPLAINTS]
        if ready:
            self._complain(max(ready, key=lambda a: len(self._traced[a])))
            self._list()
        elif time.monotonic() - self.started_at > LIST_ANYWAY_AFTER:
            self.say("complaints: no hijacked account's spam got through to complain about")
            self._list()

    def _complain(self, account: str) -> None:
        now = self._server_time()
        outcomes: Counter[str] = Counter()
        strike = None
        for n, r in enumerate(self._traced[account][:COMPLAINTS], 1):
            answer = self.api.post_raw("/api/v1/complaints", arf_report(r, r.trace, n, now), "message/rfc822")
            outcomes[str(answer.get("outcome"))] += 1
            strike = answer.get("strike") or strike
        self.complained = account
        done = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        line = (f"complaints: {COMPLAINTS} feedback-loop reports (ARF) from {REPORTER} about spam sent by "
                f"{self.printable(account, 60)} posted to the API: {done}")
        if isinstance(strike, dict):
            verdict = {"alert": "an alert", "suspend": "suspended for complaints"}.get(strike.get("verdict"), "")
            line += f"; {strike.get('complaints')} of {strike.get('threshold')} complaints within the window"
            line += f" ({verdict})" if verdict else ""
            line += ", sending stopped already" if strike.get("suspended") and strike.get("verdict") != "suspend" else ""
        self.say(line)

    def _list(self) -> None:
        from .dnsbl import LISTED

        self.dns.table[reversed_name(EGRESS[0])] = LISTED("127.0.0.2", LISTED_TXT)
        self.say(f"blocklist: the demo's DNS blocklist now lists egress {EGRESS[0]} on {ZONE}; "
                 f"the server's monitor asks every {INTERVAL:g} s")
        self.stage = "listing"

    def _look_for_listing(self) -> None:
        items = self.api.call("GET", "/api/v1/blocklists").get("items") or []
        if not any(i.get("egress") == EGRESS[0] and i.get("status") == "listed" for i in items):
            return
        quoted = urllib.parse.quote(EGRESS[0], safe="")
        senders = self.api.call("GET", f"/api/v1/blocklists/{quoted}/senders?hours={SENDER_HOURS}&limit=5")
        top = ", ".join(f"{self.printable(str(i.get('account')), 40)} ({i.get('messages')})"
                        for i in senders.get("items") or []) or "none"
        self.say(f"blocklist: egress {EGRESS[0]} LISTED on {ZONE} (seen by the server's monitor); "
                 f"accounts that sent most in the {SENDER_HOURS} hours before: {top}")
        self.listed_seen = True
        self.stage = "done"

    def _server_time(self) -> dt.datetime:
        """The server's clock (it runs --time-scale times faster): the reports' dates follow it."""
        text = str(self.api.call("GET", "/api/v1/health").get("time") or "")
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return dt.datetime.now(dt.UTC)
