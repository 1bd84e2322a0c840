"""`fumidai demo`: the whole product on one machine, with nothing to configure.

Everything lives in one temporary folder that is removed at the end: the demo GeoIP
database, the configuration, the SQLite store, the logs of the child processes. The
demo starts a local SMTP sink for notices, ``fumidai serve`` with a fast clock, plays the
simulator's traffic in a thread of this process (so the containment report can be
printed when the demo stops), and opens the desk signed in — or, with ``--headless``,
prints a summary line every few seconds. Its own DNS blocklist on loopback watches two egress
addresses: after the first hijack, a few complaints about it and a listing (demo_reputation.py).

Each child process runs in its own session: Ctrl+C in the terminal reaches only this
process, which then stops the children in order (traffic, desk, server) and waits for
them, so the server flushes its counts before the folder is removed.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

from ..desk.api.cursor import FeedCursor  # no Qt: the desk's HTTP side
from ..errors import FumidaiError
from .demo_processes import Children, MailSink, _printable, _say, free_port, has_desk, has_display
from .demo_reputation import DemoReputation
from .demo_traffic import Traffic

SUMMARY_EVERY = 5.0  # seconds between headless summary lines
READY_TIMEOUT = 60.0  # a cold start (Alembic, first imports) on a slow machine
OWN_LIMITS_KIND = "own-limits"  # heavy senders given an override by the demo, in the report

# Demo owners: the simulator's given names in kanji, with a few family names.
_KANJI = {"taro": "太郎", "hanako": "花子", "yuki": "由紀", "kenji": "健二", "sakura": "さくら",
          "hiroshi": "博", "aiko": "愛子", "daisuke": "大輔", "emi": "恵美", "kaito": "海斗",
          "mai": "舞", "ryo": "亮", "naoko": "直子", "sho": "翔", "yumi": "由美", "takeshi": "武",
          "rina": "里奈", "kazuki": "一樹", "ayaka": "彩花", "jun": "純"}  # fmt: skip
_FAMILY = (("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"), ("伊藤", "Ito"),
           ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi"))  # fmt: skip


# --- the pieces -----------------------------------------------------------------------------


class Api:
    """The few API calls the demo makes (stdlib only: the desk's `requests` may be missing)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        return self._send(method, path, data, "application/json")

    def post_raw(self, path: str, data: bytes, content_type: str) -> dict:
        """A body that is not JSON (a raw abuse report for POST /api/v1/complaints)."""
        return self._send("POST", path, data, content_type)

    def _send(self, method: str, path: str, data: bytes | None, content_type: str) -> dict:
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as err:  # one line, not a traceback: the API says what is wrong
            try:
                detail = json.loads(err.read()).get("detail", "")
            except ValueError:
                detail = ""
            raise FumidaiError(f"the demo API answered {err.code} to {method} {path}: {detail}") from None


def demo_owners(population, extra: int = 30) -> list[dict]:
    """Owner names and contacts for the interesting accounts and a few others, ja and en."""
    wanted = [a for a in population.accounts if a.hijack or a.kind in ("heavy", "traveller")]
    wanted += [a for a in population.accounts[:extra] if a not in wanted]
    rows = []
    for i, acc in enumerate(wanted):
        local = acc.name.split("@", 1)[0]
        given = local.rstrip("0123456789")
        family_ja, family_en = _FAMILY[i % len(_FAMILY)]
        english = i % 4 == 3  # one owner in four reads notices in English
        name = f"{given.capitalize()} {family_en}" if english else f"{family_ja} {_KANJI.get(given, given)}"
        contact = f"{family_en.lower()}.{local}@example.{'com' if english else 'jp'}"
        rows.append({"account": acc.name, "contact": contact, "name": name,
                     "language": "en" if english else "ja", "home_countries": "JP"})
    return rows


# --- the demo ---------------------------------------------------------------------------------


class _Stopped(Exception):
    """A stop was asked for (signal, desk closed, time up) while starting."""


class Demo:
    def __init__(self, args) -> None:
        self.args = args
        self.stop_event = threading.Event()
        self.stop_reason = ""
        self.folder = Path(tempfile.mkdtemp(prefix="fumidai-demo-"))
        self.children = Children(self.folder)
        self.sink: MailSink | None = None
        self.traffic: Traffic | None = None
        self.server: subprocess.Popen | None = None
        self.desk: subprocess.Popen | None = None
        self.api: Api | None = None
        self._alerts = FeedCursor()  # the alerts a summary line has shown, each once
        self.reputation: DemoReputation | None = None
        # Rates over the simulated time between two summary lines (the API takes 60 s to a day).
        self.window = int(min(86400, max(60, SUMMARY_EVERY * args.time_scale)))

    # -- signals --------------------------------------------------------------------------------

    def ask_stop(self, reason: str) -> None:
        if not self.stop_event.is_set():
            self.stop_reason = reason
            self.stop_event.set()

    def _checkpoint(self) -> None:
        if self.stop_event.is_set():
            raise _Stopped

    # -- start ----------------------------------------------------------------------------------

    def write_config(self, policy_port: int, api_port: int, smtp_port: int, mmdb: Path) -> Path:
        def q(value: object) -> str:
            return json.dumps(str(value))  # a TOML basic string (Windows paths included)

        path = self.folder / "fumidai.toml"
        path.write_text(
            "# Written by `fumidai demo`; removed when the demo ends.\n"
            f"[policy]\nlisten = {q(f'127.0.0.1:{policy_port}')}\n\n"
            f"[api]\nlisten = {q(f'127.0.0.1:{api_port}')}\n\n"
            f"[storage]\nurl = {q('sqlite:///' + (self.folder / 'fumidai.db').as_posix())}\n\n"
            f"[geoip]\ndatabase = {q(mmdb)}\nhome_countries = [\"JP\"]\n\n"
            f"[notices]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsender = \"abuse@isp.example\"\n"
            "support_contact = \"support@isp.example\"\nretry_delays = [2, 5, 10]\n\n"
            + (self.reputation.config() if self.reputation is not None else ""),
            encoding="utf-8",
        )
        return path

    def wait_until_listening(self, ports: list[int]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        waiting = list(ports)
        while waiting:
            self._checkpoint()
            if self.server.poll() is not None:
                raise FumidaiError(f"the demo server stopped (exit {self.server.returncode}): "
                                   f"{self.children.log_tail('serve')}")
            if time.monotonic() > deadline:
                raise FumidaiError(f"the demo server did not listen within {READY_TIMEOUT:.0f} s: "
                                   f"{self.children.log_tail('serve')}")
            try:
                socket.create_connection(("127.0.0.1", waiting[0]), timeout=0.5).close()
                waiting.pop(0)
            except OSError:
                self.stop_event.wait(0.1)

    def run_commands(self, commands: dict[str, list[str]]) -> dict[str, str]:
        """Short `fumidai` commands as child processes, side by side; their standard output."""
        procs = {name: subprocess.Popen(self.children.command(*args), cwd=self.folder, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        encoding="utf-8", start_new_session=True)
                 for name, args in commands.items()}
        out, failed = {}, []
        for name, proc in procs.items():
            try:
                out[name], err = proc.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                out[name], err = proc.communicate()
            if proc.returncode != 0:
                failed.append(f"`fumidai {name}` failed in the demo: {(err.strip().splitlines() or ['(no message)'])[-1]}")
        if failed:
            raise FumidaiError(failed[0])
        return out

    def start(self) -> None:
        from ..geo.build import build_demo
        from .population import Population, SimConfig, demo_ranges

        a = self.args
        mmdb = build_demo(self.folder / "demo.mmdb").path
        policy_port, api_port, smtp_port = free_port(), free_port(), free_port()
        self.reputation = DemoReputation(_say, _printable)
        self.reputation.start()
        config = self.write_config(policy_port, api_port, smtp_port, mmdb)

        # One simulated day, replayed if the demo runs longer; the hijacks begin within its
        # first hour so that something happens soon. Checked before anything starts.
        duration = 86400.0 if a.seconds is None else min(86400.0, max(3600.0, a.seconds * a.time_scale * 1.1))
        population = Population(SimConfig(accounts=a.accounts, hijacks=a.hijacks, seed=a.seed, duration=duration,
                                          hijack_start_within=3600.0), demo_ranges())
        overrides = population.override_accounts

        if a.history_days:
            self.learn_history(population, config)
            self._checkpoint()
        self.sink = MailSink(self.folder / "mail", smtp_port)
        self.sink.start()
        self.server = self.children.start(
            "serve", self.children.command("serve", "--config", str(config), "--time-scale", f"{a.time_scale:g}"))
        # The plan is built while the server starts.
        plan = [replace(s, kind=OWN_LIMITS_KIND) if s.account in overrides else s for s in population.plan()]
        self.wait_until_listening([policy_port, api_port])

        owners = self.folder / "owners.csv"
        with open(owners, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=["account", "contact", "name", "language", "home_countries"])
            writer.writeheader()
            writer.writerows(demo_owners(population))
        out = self.run_commands({"staff add": ["staff", "add", "demo", "--role", "admin", "--config", str(config)],
                                 "account import": ["account", "import", str(owners), "--config", str(config)]})
        token = out["staff add"].strip()
        token_file = self.folder / "token"
        token_file.write_text(token + "\n", encoding="utf-8")
        token_file.chmod(0o600)
        self._checkpoint()

        api_url = f"http://127.0.0.1:{api_port}"
        self.api = Api(api_url, token)
        for account, limits in overrides.items():
            self.api.call("PUT", f"/api/v1/accounts/{urllib.parse.quote(account, safe='')}/limits",
                          {"limits": limits, "reason": "demo: newsletter sender with agreed higher limits"})
        self._checkpoint()

        self.traffic = Traffic(f"127.0.0.1:{policy_port}", plan, a.time_scale, duration)
        self.traffic.start()
        hijacks = ", ".join(f"{h.name} ({h.hijack})" for h in population.hijacked) or "none"
        _say(f"fumidai demo: policy server 127.0.0.1:{policy_port}, API {api_url}, "
             f"notices to the SMTP sink 127.0.0.1:{smtp_port}")
        _say(f"  {a.accounts} accounts, clock {a.time_scale:g}x (a simulated hour every "
             f"{3600 / a.time_scale / 60:.1f} real minutes); hijacked: {hijacks}")
        _say(f"  heavy senders with their own limits: {', '.join(overrides) or 'none'}")
        _say(f"  demo folder (removed at the end): {self.folder}")
        self.reputation.attach(self.api, self.traffic)
        if not a.headless:
            env = dict(os.environ)
            # Its own settings folder: the demo's temporary backend must not become the user's saved one.
            env["XDG_CONFIG_HOME"] = str(self.folder / "desk-settings")
            self.desk = self.children.start(
                "desk", self.children.command("desk", "--backend", api_url, "--token-file", str(token_file)), env)
            _say("  the desk is opening, signed in as 'demo' (admin); close its window or press Ctrl+C to stop")
        else:
            _say("  headless: a summary every few seconds; Ctrl+C stops")

    def learn_history(self, population, config: Path) -> None:
        """The population's past weeks as a maillog, learned with `fumidai baseline import` before
        the server starts: its clock then starts where the history ends."""
        from .commands import import_history
        from .maillog import write_history

        days = self.args.history_days
        _say(f"fumidai demo: writing {days:g} days of history for {len(population.accounts)} accounts "
             "(a Postfix maillog) and learning it…")
        path = self.folder / "history.log"
        stats = write_history(population, path, days=days)
        _say(f"  {stats.submissions} submissions, {stats.lines} maillog lines")
        import_history(str(config), str(path))
        path.unlink()

    # -- while it runs ----------------------------------------------------------------------------

    def summary(self) -> str:
        sim = self.traffic.simulated_seconds if self.traffic else 0.0
        head = f"[sim +{int(sim // 3600)}h{int(sim % 3600 // 60):02d}m]"
        try:
            ov = self.api.call("GET", f"/api/v1/overview?window={self.window}&limit=1")
            after = self._alerts.after_id
            alerts = self.api.call("GET", f"/api/v1/alerts?after_id={after}&limit=1000")
        except (OSError, ValueError, FumidaiError) as err:
            return f"{head} API not answering: {_printable(str(err), 80)}"
        t = ov["totals"]
        line = (f"{head} {t['messages_per_minute']:.1f} messages/min, {t['active_accounts']} accounts sending, "
                f"{t['suspended_accounts']} suspended")
        items = [i for i in alerts.get("items") or [] if isinstance(i, dict) and type(i.get("id")) is int]
        next_after = alerts.get("next_after_id")
        seen: dict[tuple[str, str], str] = {}
        for item in self._alerts.take(after, items, next_after if type(next_after) is int else None):
            seen[(item["account"], item["kind"])] = f"{item['kind']} {item['account']} ({item['reason']}, {item['country'] or '?'})"
        if seen:
            # Automatic stops first: they are what the watcher is waiting for; holds and caps follow.
            order = sorted(seen, key=lambda key: key[1] != "auto_suspend")
            shown = [seen[key] for key in order[:3]]
            more = f" and {len(seen) - 3} more" if len(seen) > 3 else ""
            line += "; new alerts: " + "; ".join(_printable(s, 90) for s in shown) + more
        return line

    def watch(self) -> None:
        """Until a stop: keep an eye on the children; headless, print a summary now and then."""
        deadline = None if self.args.seconds is None else time.monotonic() + self.args.seconds
        next_summary = time.monotonic() + (SUMMARY_EVERY if self.args.headless else float("inf"))
        while not self.stop_event.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                if self.args.headless:
                    _say(self.summary())  # what happened since the last line, before the report
                self.ask_stop(f"{self.args.seconds:g} s are over")
                break
            if self.server.poll() is not None:
                raise FumidaiError(f"the demo server stopped (exit {self.server.returncode}): "
                                   f"{self.children.log_tail('serve')}")
            if self.desk is not None and self.desk.poll() is not None:
                if self.desk.returncode not in (0, None):
                    _say(f"the desk exited with {self.desk.returncode}: {self.children.log_tail('desk')}")
                self.ask_stop("the desk was closed")
                break
            if not self.traffic.is_alive():
                raise FumidaiError(f"the simulated traffic stopped: {self.traffic.error}")
            if now >= next_summary:
                _say(self.summary())
                next_summary = now + SUMMARY_EVERY
            self.reputation.step()
            self.stop_event.wait(0.5)

    # -- stop -----------------------------------------------------------------------------------

    def report(self) -> str | None:
        from .report import build_report, render

        if self.traffic is None or not self.traffic.results:
            return None
        text = render(build_report(list(self.traffic.results), wall_seconds=self.traffic.wall_seconds,
                                   duration=self.traffic.simulated_seconds))
        note = (f"{OWN_LIMITS_KIND}: heavy senders the demo gave their own limits; heavy: those left on the "
                "default limits, stopped at the quota until staff raise it (the refused honest mail above)\n")
        return text + note

    def close(self) -> None:
        """Stop everything this demo started; safe to call after a failed start."""
        if self.traffic is not None:
            self.traffic.stop()
        if self.desk is not None:
            self.children.stop(self.desk)
        self.children.stop_all()
        if self.sink is not None:
            self.sink.stop()
        if self.reputation is not None:
            self.reputation.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def run(args) -> int:
    import aiosmtpd  # noqa: F401  the notices' sink: without the demo extra, say so before any work
    import dnslib  # noqa: F401  the loopback blocklist: the demo extra too

    # The demo runs its own temporary configuration: a FUMIDAI_* variable of the caller's
    # (FUMIDAI_STORAGE__URL of a real deployment, say) must not reach its server or imports.
    for name in [n for n in os.environ if n.startswith("FUMIDAI_")]:
        del os.environ[name]
    if args.time_scale <= 0:
        raise FumidaiError("--time-scale must be positive")
    if args.seconds is not None and args.seconds <= 0:
        raise FumidaiError("--seconds must be positive")
    if not args.headless:
        why = None if has_display() else "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
        why = why or (None if has_desk() else "the desk's packages are not installed (pip install 'fumidai[desk]')")
        if why:
            print(f"fumidai demo: {why}: running headless instead", file=sys.stderr, flush=True)
            args.headless = True

    # aiosmtpd logs every connection at INFO; the sink prints what matters itself.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    demo = Demo(args)
    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, lambda signum, frame: demo.ask_stop(signal.Signals(signum).name))
    try:
        try:
            demo.start()
            demo.watch()
        except _Stopped:
            pass
        finally:
            if demo.stop_reason:
                _say(f"fumidai demo: stopping ({demo.stop_reason})")
            report = None
            try:
                if demo.traffic is not None:
                    demo.traffic.stop()  # first, so that the report is of traffic that has ended
                report = demo.report()
            finally:
                demo.close()
        if report and args.headless:
            _say("")
            sys.stdout.write(report)
        _say("fumidai demo: everything stopped, demo folder removed")
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
