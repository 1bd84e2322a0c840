"""The demo's processes: its child processes (each in its own session) and the SMTP sink for notices.

Also the few helpers every part of the demo uses: a free loopback port, a line printed at once,
text we did not write made safe for a terminal.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

STOP_TIMEOUT = 10.0  # per child, after SIGTERM, before SIGKILL


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's pick for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_display() -> bool:
    """Whether a desk window could open here (Linux and BSD need X11 or Wayland)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))


def has_desk() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("PySide6", "pyqtgraph", "requests"))


def _printable(text: str, limit: int = 120) -> str:
    """One line of text we did not write (addresses, subjects), safe for a terminal."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _say(text: str) -> None:
    print(text, flush=True)


class MailSink:
    """A local SMTP server that takes every notice, keeps it in the demo folder and says so."""

    def __init__(self, folder: Path, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.folder = folder
        self.folder.mkdir()
        self.count = 0
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd hook
        self.count += 1
        path = self.folder / f"{self.count:04d}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        to = ", ".join(envelope.rcpt_tos)
        _say(f"notice mailed to {_printable(to, 80)}: {_printable(str(msg.get('subject', '')))} "
             f"(kept as {path.name} in the demo folder until the demo ends)")
        return "250 OK"


class Children:
    """Child processes, each in its own session so that it and its own children stop together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[subprocess.Popen] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "fumidai.cli", *args]

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "wb") as log:  # the child keeps its own copy
            proc = subprocess.Popen(args, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True, env=env)
        self.procs.append(proc)
        return proc

    def log_tail(self, name: str, lines: int = 3) -> str:
        try:
            text = (self.folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])

    def stop(self, proc: subprocess.Popen) -> None:
        """SIGTERM to the child's process group, then SIGKILL to what is left of it after a while."""
        if proc.poll() is not None:
            return  # exited (and reaped) earlier: its group id may belong to someone else by now
        self._signal(proc, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        # Its own children too, even when it has exited already (not reaped before this point).
        self._signal(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
        proc.wait()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)

    @staticmethod
    def _signal(proc: subprocess.Popen, sig: int) -> None:
        try:
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, sig)  # start_new_session: its process group id is its pid
            elif proc.poll() is None:
                proc.terminate()
        except (ProcessLookupError, PermissionError):
            pass
