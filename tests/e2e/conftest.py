"""A throw-away Postfix + Dovecot SASL on loopback, and `fumidai serve` as its policy server.

Everything lives in one temporary folder: Postfix's config, queue and data directories, the
maillog, Dovecot's config and sockets, and the sink maildir where every accepted message is
delivered (Postfix's virtual(8) agent; default_transport is error:, so nothing leaves the
machine). The submission service and the policy restrictions come from
packaging/postfix/*.snippet, so the shipped snippets are the ones tested.

Needs root and the postfix and dovecot binaries (apt-get install postfix dovecot-core);
without them the tests are skipped with the reason. FUMIDAI_E2E_KEEP=1 keeps the folder
(maillog, configs, fumidai-serve.log) for a look after the run.
"""

from __future__ import annotations

import email
import grp
import os
import pwd
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "packaging" / "postfix"
FUMIDAI = [sys.executable, "-m", "fumidai.cli"]
SNIPPET_POLICY = "inet:127.0.0.1:10040"
PASSWORD = "e2e-secret"

# Source addresses (all of 127.0.0.0/8 is loopback on Linux) and their test countries.
HOME_IP, ABROAD_IP = "127.0.1.5", "127.0.2.5"
GEO_CSV = "network,country\n127.0.1.0/24,JP\n127.0.2.0/24,US\n127.0.3.0/24,CN\n"

# test1: the account docs/deploy.md checks with (test_deploy_doc.py).
ACCOUNTS = ("quota1", "normal1", "traveller1", "suspend1", "restart1", "restart2", "down1", "test1", "complain1",
            "tourist1", "victim1", "shared1", "shared2")

LIMITS_TOML = """
[limits]
messages_per_hour = 5
messages_per_day = 50

[limits.abroad]
messages_per_day = 2
"""


def _missing_tools() -> str | None:
    if sys.platform != "linux":
        return "needs Linux (127.0.0.0/8 source addresses)"
    if os.geteuid() != 0:
        return "needs root to start a Postfix instance"
    for tool in ("postfix", "postconf", "dovecot"):
        if shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
            return f"{tool} not installed (apt-get install postfix dovecot-core)"
    try:
        pwd.getpwnam("postfix"), grp.getgrnam("postdrop"), pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
    except KeyError as err:
        return f"system user or group {err} missing (the postfix/dovecot packages create them)"
    return None


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, **kw)


def _checked(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    r = _run(cmd, **kw)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stdout}{r.stderr}")
    return r


def _snippet_text(name: str) -> str:
    return (SNIPPETS / name).read_text(encoding="utf-8")


def _main_cf(base: Path, policy_port: int) -> str:
    uid, gid = pwd.getpwnam("postfix").pw_uid, grp.getgrnam("postfix").gr_gid
    snippet = _snippet_text("main.cf.snippet")
    assert SNIPPET_POLICY in snippet, "main.cf.snippet no longer names the default policy address"
    return f"""\
compatibility_level = 3.6
queue_directory = {base}/queue
data_directory = {base}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {base}/maillog
# The default (/var, /dev/stdout) refuses a log file anywhere else.
maillog_file_prefixes = {base}
myhostname = mx.e2e.test
mydomain = e2e.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
alias_maps =
alias_database =
biff = no
smtpd_banner = $myhostname ESMTP
smtpd_tls_security_level = none
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
# Nothing leaves: example.net goes to the sink maildir, anything else bounces.
default_transport = error:the e2e Postfix delivers nowhere else
transport_maps = inline:{{example.net=virtual:}}
virtual_mailbox_base = {base}/sink
virtual_mailbox_maps = static:maildir/
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = {min(uid, 100)}

# ---- packaging/postfix/main.cf.snippet ----
{snippet.replace(SNIPPET_POLICY, f"inet:127.0.0.1:{policy_port}")}
"""


def _submission_service(port: int) -> str:
    """The snippet's submission entry, on a loopback port and without TLS (tests only)."""
    lines = [ln for ln in _snippet_text("master.cf.snippet").splitlines() if ln.strip() and not ln.startswith("#")]
    head, options = lines[0].split(), [ln.strip() for ln in lines[1:]]
    assert head[0] == "submission" and head[-1] == "smtpd", head
    head[0] = f"127.0.0.1:{port}"
    test_only = {"smtpd_tls_security_level": "none", "smtpd_tls_auth_only": None}
    out = []
    for opt in options:
        key = opt.removeprefix("-o").strip().split("=", 1)[0]
        if key in test_only:
            if test_only[key] is not None:
                out.append(f"-o {key}={test_only[key]}")
        else:
            out.append(opt)
    return "  ".join(["\t".join(head) + "\n"] + [o + "\n" for o in out])


# chroot "n" everywhere: the temporary queue directory is not a prepared chroot jail.
_MASTER_CF = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def _dovecot_conf(base: Path) -> str:
    return f"""\
base_dir = {base}/dovecot/run
state_dir = {base}/dovecot/state
log_path = {base}/dovecot/dovecot.log
protocols =
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/dovecot/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home=/nonexistent
}}
service auth {{
  unix_listener {base}/queue/private/auth {{
    mode = 0660
    user = postfix
    group = postfix
  }}
}}
"""


@dataclass
class Outcome:
    """What the SMTP client saw for one message: stage is "sent", "RCPT" or "DATA"."""

    stage: str
    code: int = 250
    text: str = ""


class MailSystem:
    """The Postfix + Dovecot instance: submit mail, count what reached the sink."""

    def __init__(self, base: Path, submission_port: int, policy_port: int) -> None:
        self.base = base
        self.config_dir = base / "postfix"
        self.submission_port = submission_port
        self.policy_port = policy_port
        self.maillog = base / "maillog"
        self.sink = base / "sink" / "maildir"
        self._dovecot: subprocess.Popen | None = None
        self._serial = 0

    # --- lifecycle ---

    def start(self) -> None:
        b = self.base
        for d in ("postfix", "queue", "data", "sink", "dovecot/run", "dovecot/state"):
            (b / d).mkdir(parents=True, exist_ok=True)
        (self.config_dir / "main.cf").write_text(_main_cf(b, self.policy_port))
        (self.config_dir / "master.cf").write_text(_submission_service(self.submission_port) + _MASTER_CF)
        shutil.chown(b / "sink", "postfix", "postfix")
        (b / "dovecot" / "passwd").write_text("".join(f"{a}:{{PLAIN}}{PASSWORD}::::::\n" for a in ACCOUNTS))
        (b / "dovecot" / "dovecot.conf").write_text(_dovecot_conf(b))
        # Creates queue/private etc. with the right owners, so Dovecot can put its socket there.
        _checked(["postfix", "-c", str(self.config_dir), "set-permissions"])
        _checked(["postfix", "-c", str(self.config_dir), "check"])
        self._dovecot = subprocess.Popen(["dovecot", "-F", "-c", str(b / "dovecot" / "dovecot.conf")],
                                         stdout=subprocess.DEVNULL, stderr=open(b / "dovecot" / "stderr", "wb"))
        _wait_for(lambda: (b / "queue" / "private" / "auth").exists(), 10, "Dovecot's auth socket")
        _checked(["postfix", "-c", str(self.config_dir), "start"])
        _wait_for(self._answers, 15, "the Postfix submission port")

    def stop(self) -> None:
        _run(["postfix", "-c", str(self.config_dir), "stop"])
        if self._dovecot is not None:
            self._dovecot.send_signal(signal.SIGTERM)
            try:
                self._dovecot.wait(10)
            except subprocess.TimeoutExpired:
                self._dovecot.kill()
                self._dovecot.wait()

    def _answers(self) -> bool:
        try:
            with smtplib.SMTP("127.0.0.1", self.submission_port, timeout=2) as s:
                return s.noop()[0] == 250
        except OSError:
            return False

    # --- submitting ---

    def send(self, account: str, source: str = HOME_IP, recipients: int = 1, login: bool = True,
             to: list[str] | None = None) -> Outcome:
        """Submit one message as ``account`` from ``source``, the way a mail client does (to
        ``to``, else to ``recipients`` new addresses)."""
        self._serial += 1
        msg = EmailMessage()
        msg["From"] = f"{account}@example.test"
        msg["To"] = ", ".join(f"rcpt{i}@example.net" for i in range(recipients))
        msg["Subject"] = f"e2e {self._serial}"
        msg["Message-ID"] = f"<{account}.{self._serial}@e2e.test>"
        msg.set_content("hello\n")
        rcpts = to or [f"rcpt{i}-{self._serial}@example.net" for i in range(recipients)]
        with smtplib.SMTP("127.0.0.1", self.submission_port, local_hostname="e2e-client.test",
                          source_address=(source, 0), timeout=30) as s:
            s.ehlo()
            if login:
                s.login(account, PASSWORD)
            try:
                refused = s.sendmail(f"{account}@example.test", rcpts, msg.as_bytes())
            except smtplib.SMTPRecipientsRefused as err:
                code, text = next(iter(err.recipients.values()))
                return Outcome("RCPT", code, text.decode(errors="replace"))
            except smtplib.SMTPDataError as err:
                return Outcome("DATA", err.smtp_code, err.smtp_error.decode(errors="replace"))
            assert not refused, refused
        return Outcome("sent")

    # --- the sink ---

    def delivered(self, account: str) -> int:
        """Messages from ``account`` in the sink (a message to N recipients counts once)."""
        ids = set()
        for path in (self.sink / "new").glob("*") if (self.sink / "new").exists() else ():
            with open(path, "rb") as f:
                m = email.message_from_binary_file(f)
            if m["Return-Path"] == f"<{account}@example.test>":
                ids.add(m["Message-ID"])
        return len(ids)

    def queue_empty(self) -> bool:
        q = self.base / "queue"
        return not any(any((q / d).rglob("*")) for d in ("incoming", "active", "deferred", "hold", "maildrop"))

    def wait_delivered(self, account: str, expected: int, timeout: float = 20) -> int:
        """Wait until the queue is empty and ``expected`` messages arrived; return the count."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.delivered(account) >= expected and self.queue_empty():
                break
            time.sleep(0.1)
        return self.delivered(account)

    def log(self) -> str:
        return self.maillog.read_text(errors="replace") if self.maillog.exists() else ""


class FumidaiServer:
    """`fumidai serve` as a subprocess on fixed ports, so Postfix's config stays valid across restarts."""

    def __init__(self, base: Path, policy_port: int, api_port: int, geoip: Path) -> None:
        self.base = base
        self.config = base / "fumidai.toml"
        self.config.write_text(f"""\
[policy]
listen = "127.0.0.1:{policy_port}"

[api]
listen = "127.0.0.1:{api_port}"

[storage]
url = "sqlite:///{base}/fumidai.db"

[geoip]
database = "{geoip}"
home_countries = ["JP"]
{LIMITS_TOML}""")
        self.proc: subprocess.Popen | None = None
        self.stderr = base / "fumidai-serve.log"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        assert not self.running
        err = open(self.stderr, "ab")
        self.proc = subprocess.Popen([*FUMIDAI, "serve", "--config", str(self.config)], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=err, text=True)
        err.close()
        line = self.proc.stdout.readline()  # printed once both listeners are up
        if "policy server on" not in line:
            self.proc.wait(10)
            raise RuntimeError(f"fumidai serve did not start: {line!r}\n{self.stderr.read_text()[-3000:]}")

    def ensure_running(self) -> None:
        if not self.running:
            self.start()

    def stop(self) -> None:
        if self.running:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()

    def cli(self, *args: str) -> str:
        """A `fumidai ...` command with this server's config; returns its stdout."""
        r = _run([*FUMIDAI, *args, "--config", str(self.config)], cwd=ROOT)
        if r.returncode:
            raise RuntimeError(f"fumidai {' '.join(args)} exited {r.returncode}: {r.stdout}{r.stderr}")
        return r.stdout


def _wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def e2e_base():
    reason = _missing_tools()
    if reason:
        pytest.skip(reason)
    # Not under pytest's tmp dir: its 0700 parent would stop the postfix user from reaching
    # the sink maildir.
    base = Path(tempfile.mkdtemp(prefix="fumidai-e2e-"))
    base.chmod(0o755)
    yield base
    if os.environ.get("FUMIDAI_E2E_KEEP"):  # keep the maillog and configs to look at
        print(f"e2e files kept in {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def geoip_db(e2e_base):
    csv_path = e2e_base / "ranges.csv"
    csv_path.write_text(GEO_CSV)
    out = e2e_base / "e2e.mmdb"
    _checked([*FUMIDAI, "geoip", "build", "--from-csv", str(csv_path), "-o", str(out)], cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def ports():
    return {"submission": free_port(), "policy": free_port(), "api": free_port()}


@pytest.fixture(scope="module")
def mail(e2e_base, ports):
    ms = MailSystem(e2e_base, ports["submission"], ports["policy"])
    try:
        ms.start()
        yield ms
    finally:
        ms.stop()


@pytest.fixture(scope="module")
def fumidai(e2e_base, ports, geoip_db):
    server = FumidaiServer(e2e_base, ports["policy"], ports["api"], geoip_db)
    server.start()
    try:
        yield server
    finally:
        server.stop()

