"""Capture a real Postfix maillog for the maillog reader's tests.

Runs the end-to-end Postfix + Dovecot SASL of tests/e2e (same config, private folder) with
a policy server that answers DUNNO, and adds what the reader must cope with:

- an inbound smtpd on its own port (mail without SASL);
- a transport to a local SMTP server that defers every recipient once (451), so a flush
  delivers it: `status=deferred` then `status=sent` for the same recipient;
- a recipient that server refuses (`status=bounced`, and the bounce notice);
- failed logins (PLAIN and LOGIN), messages to several recipients, concurrent sessions;
- a second phase with enable_long_queue_ids = yes and a submission service on [::1]
  whose syslog_name is postfix-out/submission.

    python -m tests.behaviour.postfix_capture OUT.log     # needs root, postfix, dovecot
"""

from __future__ import annotations

import shutil
import smtplib
import socketserver
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import free_port
from tests.e2e.conftest import PASSWORD, MailSystem, _checked, _missing_tools, _wait_for

DEFER_DOMAIN = "defer.example"


class _PolicyDunno(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if line in (b"\n", b"\r\n"):
                self.wfile.write(b"action=DUNNO\n\n")


class _DeferOnce(socketserver.StreamRequestHandler):
    """A minimal SMTP server: 451 for a recipient the first time it is seen, 250 after; 550 for lost@."""

    seen: set[bytes] = set()

    def handle(self) -> None:
        w = self.wfile.write
        w(b"220 sink.defer.example ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                w(b"250-sink.defer.example\r\n250 8BITMIME\r\n")
            elif verb == b"RCPT":
                address = line[8:].strip().lower()
                if address.startswith(b"<lost@"):
                    w(b"550 5.1.1 no such user\r\n")
                elif address in self.seen:
                    w(b"250 2.1.5 ok\r\n")
                else:
                    self.seen.add(address)
                    w(b"451 4.3.0 greylisted, try again later\r\n")
            elif verb == b"DATA":
                w(b"354 go ahead\r\n")
                while (body := self.rfile.readline()) and body not in (b".\r\n", b".\n"):
                    pass
                w(b"250 2.0.0 queued as DEFER1\r\n")
            elif verb == b"QUIT":
                w(b"221 bye\r\n")
                return
            else:
                w(b"250 ok\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(handler, port: int) -> _Server:
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _submit(host: str, port: int, account: str, recipients: list[str], source: str, tag: str) -> None:
    body = (f"From: {account}@example.test\r\nTo: {', '.join(recipients)}\r\nSubject: capture {tag}\r\n"
            f"Message-ID: <{tag}@capture.test>\r\n\r\nhello\r\n").encode()
    with smtplib.SMTP(host, port, local_hostname="client.test", source_address=(source, 0), timeout=30) as s:
        s.ehlo()
        s.login(account, PASSWORD)
        s.sendmail(f"{account}@example.test", recipients, body)


def _inbound(port: int, source: str, recipient: str, tag: str) -> None:
    body = f"From: someone@outside.test\r\nSubject: inbound {tag}\r\nMessage-ID: <{tag}@outside.test>\r\n\r\nhi\r\n"
    with smtplib.SMTP("127.0.0.1", port, local_hostname="outside.test", source_address=(source, 0), timeout=30) as s:
        s.sendmail("someone@outside.test", [recipient], body.encode())


def _failed_login(port: int, source: str, account: str, mechanism: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, local_hostname="bot.test", source_address=(source, 0), timeout=30) as s:
        s.ehlo()
        s.user, s.password = account, "wrong-password"
        try:
            s.auth(mechanism, s.auth_login if mechanism == "LOGIN" else s.auth_plain)
        except smtplib.SMTPAuthenticationError:
            pass


def _queue_empty(mail: MailSystem) -> bool:
    # MailSystem.queue_empty sees the hash folders a deferral leaves behind as queued mail.
    return "Mail queue is empty" in _checked(["postqueue", "-c", str(mail.config_dir), "-p"]).stdout


def capture(out: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="fumidai-capture-"))
    base.chmod(0o755)
    submission, policy, inbound, defer_port, v6_port = (free_port() for _ in range(5))
    policy_server = _serve(_PolicyDunno, policy)
    defer_server = _serve(_DeferOnce, defer_port)
    mail = MailSystem(base, submission, policy)
    postfix = ["postfix", "-c", str(mail.config_dir)]
    try:
        mail.start()
        # Every domain is a virtual mailbox domain here (static map), so inbound mail to
        # example.net is accepted by a plain smtpd.
        _checked(["postconf", "-c", str(mail.config_dir), "-e",
                  f"transport_maps = inline:{{example.net=virtual:}} inline:{{{DEFER_DOMAIN}=smtp:[127.0.0.1]:{defer_port}}}"])
        with open(mail.config_dir / "master.cf", "a") as f:
            f.write(f"127.0.0.1:{inbound} inet n - n - - smtpd\n"
                    "smtp      unix  -       -       n       -       -       smtp\n")
        _checked([*postfix, "reload"])
        time.sleep(1)

        # Phase 1: short queue ids, several sessions at once.
        jobs = []
        with ThreadPoolExecutor(6) as pool:
            for i in range(6):
                jobs.append(pool.submit(_submit, "127.0.0.1", submission, "normal1",
                                        [f"friend{i}@example.net", f"Colleague{i}@Example.NET"], "127.0.1.5", f"n{i}"))
                jobs.append(pool.submit(_submit, "127.0.0.1", submission, "traveller1",
                                        [f"family{i}@example.net"], "127.0.2.5", f"t{i}"))
                jobs.append(pool.submit(_inbound, inbound, "127.0.3.5", f"user{i}@example.net", f"in{i}"))
            jobs.append(pool.submit(_failed_login, submission, "127.0.3.9", "normal1", "LOGIN"))
            jobs.append(pool.submit(_failed_login, submission, "127.0.3.9", "quota1", "PLAIN"))
            for j in jobs:
                j.result()
        # Deferred once, then sent after a flush; and one recipient that bounces.
        _submit("127.0.0.1", submission, "quota1",
                [f"a@{DEFER_DOMAIN}", f"b@{DEFER_DOMAIN}", "c@example.net", f"lost@{DEFER_DOMAIN}"],
                "127.0.1.6", "deferred")
        _wait_for(lambda: f"to=<a@{DEFER_DOMAIN}>" in mail.log(), 30, "the first (deferred) attempt")
        time.sleep(1)
        _checked(["postqueue", "-c", str(mail.config_dir), "-f"])
        _wait_for(lambda: mail.log().count("status=sent (250 2.0.0 queued as DEFER1)") >= 2, 60, "the retry")
        _wait_for(lambda: _queue_empty(mail), 30, "an empty queue")

        # Phase 2: long queue ids, IPv6 client, a syslog_name with its own prefix.
        _checked(["postfix", "-c", str(mail.config_dir), "stop"])
        _checked(["postconf", "-c", str(mail.config_dir), "-e", "enable_long_queue_ids = yes",
                  "inet_protocols = all", "inet_interfaces = 127.0.0.1, [::1]"])
        with open(mail.config_dir / "master.cf", "a") as f:
            f.write(f"[::1]:{v6_port} inet n - n - - smtpd\n  -o syslog_name=postfix-out/submission\n"
                    "  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n"
                    "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n")
        _checked(["postfix", "-c", str(mail.config_dir), "start"])
        time.sleep(2)
        _submit("::1", v6_port, "Normal1", ["friend0@example.net", "new@example.net", "x@example.net"], "::1", "v6")
        _submit("127.0.0.1", submission, "traveller1", ["family0@example.net"], "127.0.2.5", "long")
        _inbound(inbound, "127.0.3.5", "user9@example.net", "in-long")
        _wait_for(lambda: mail.log().count(": removed") >= 18, 30, "every message removed")
        _wait_for(lambda: _queue_empty(mail), 30, "an empty queue")
        time.sleep(1)
        shutil.copyfile(mail.maillog, out)
    finally:
        if not out.exists() and mail.maillog.exists():
            shutil.copyfile(mail.maillog, out.with_suffix(".partial"))
        mail.stop()
        policy_server.shutdown()
        defer_server.shutdown()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    reason = _missing_tools()
    if reason:
        sys.exit(f"cannot capture: {reason}")
    capture(Path(sys.argv[1]))
    print(f"wrote {sys.argv[1]}")
