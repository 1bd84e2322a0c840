"""Helpers shared by the notices tests: a recording SMTP relay, a clock, settings and facts."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from fumidai.config import settings_from_dict
from fumidai.notices.facts import build_facts
from fumidai.store import repo

T0 = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC, 20:06:40 in Tokyo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # the message as it came over the wire


@dataclass
class RecordingHandler:
    """Accepts mail and keeps it; addresses in ``refuse`` get ``refuse_reply`` at RCPT."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    refuse_reply: str = "550 5.1.1 No such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


@dataclass
class Relay:
    handler: RecordingHandler
    port: int
    controller: Controller | None = None
    tls_context: ssl.SSLContext | None = None
    require_starttls: bool = False
    extra: dict = field(default_factory=dict)  # more Controller/SMTP options (authenticator, ...)

    def start(self) -> None:
        kw = dict(self.extra)
        if self.tls_context is not None:
            kw.update(tls_context=self.tls_context, require_starttls=self.require_starttls)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kw)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def make_settings(tmp_path, port: int, **notices):
    return settings_from_dict({
        "storage": {"url": f"sqlite:///{tmp_path / 'fumidai.db'}"},
        "notices": {"smtp_host": "127.0.0.1", "smtp_port": port, "sender": "abuse@isp.example",
                    "sender_name": "Example ISP 迷惑メール対策窓口", "support_contact": "0120-000-000",
                    "timeout": 5, **notices},
    })


def add_account(store, name="taro01", contact="taro@example.jp", owner_name="山田 太郎", language="ja"):
    with store.session() as s:
        repo.upsert_accounts(s, [{"account": name, "contact": contact, "name": owner_name, "language": language}])


def sample_facts(language="ja", **over):
    base = dict(
        account="taro01", contact="taro@example.jp", owner_name="山田 太郎", language=language, now=T0,
        support_contact="0120-000-000", timezone="Asia/Tokyo",
        suspension={"by": "auto", "reason": "country:CN:messages_per_day", "since": T0 - 600},
        usage={"hour": {"messages": 123, "recipients": 4567}, "day": {"messages": 130, "recipients": 4600},
               "refused_day": {"messages": 40, "recipients": 400},
               "countries": [{"country": "CN", "messages_day": 125, "recipients_day": 4590},
                             {"country": "JP", "messages_day": 5, "recipients_day": 10}]},
        limits={"account": {"messages_per_hour": 100, "messages_per_day": 500},
                "abroad": {"messages_per_day": 20}, "countries": {"CN": {"messages_per_day": 5}},
                "home_countries": ["JP"]},
    )
    base.update(over)
    return build_facts(**base)
