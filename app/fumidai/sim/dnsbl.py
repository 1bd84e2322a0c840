"""A real DNSBL on loopback: dnslib's UDP server with a table of answers.

The blocklist monitor's tests (tests/reputation) and `fumidai demo` (which lists one of its egress
addresses part-way through) both run it. dnslib comes with the demo and dev extras.
"""

from __future__ import annotations

import contextlib
import threading

from dnslib import QTYPE, RCODE, RR, TXT, A, DNSError, DNSRecord
from dnslib.server import DNSLogger, DNSServer


class Behaviour:
    """What the zone answers for one query name (without the trailing dot)."""

    def __init__(self, a: list[str] | None = None, txt: str | None = None, rcode: int = RCODE.NOERROR,
                 silent: bool = False) -> None:
        self.a, self.txt, self.rcode, self.silent = a or [], txt, rcode, silent


LISTED = lambda code="127.0.0.2", txt="Listed: see https://check.example/": Behaviour([code], txt)  # noqa: E731
NXDOMAIN = Behaviour(rcode=RCODE.NXDOMAIN)
SERVFAIL = Behaviour(rcode=RCODE.SERVFAIL)
TIMEOUT = Behaviour(silent=True)


class TableResolver:
    def __init__(self) -> None:
        self.table: dict[str, Behaviour] = {}
        self.queries: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.port = 0  # where it listens, once served

    def resolve(self, request: DNSRecord, handler) -> DNSRecord:
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        with self.lock:
            if len(self.queries) < 10_000:  # a demo left running for days must not grow without end
                self.queries.append((name, qtype))
            how = self.table.get(name, NXDOMAIN)
        if how.silent:
            raise DNSError("no answer on purpose (timeout test)")  # dnslib sends nothing
        reply = request.reply()
        reply.header.rcode = how.rcode
        if how.rcode == RCODE.NOERROR:
            if qtype == "A":
                for a in how.a:
                    reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(a), ttl=60))
            elif qtype == "TXT" and how.txt is not None:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(how.txt), ttl=60))
        return reply


@contextlib.contextmanager
def dnsbl_server(port: int):
    """Serve ``TableResolver`` on 127.0.0.1:port (UDP; 0: the kernel picks, ``resolver.port`` says
    which) for the duration of the block."""
    resolver = TableResolver()
    server = DNSServer(resolver, address="127.0.0.1", port=port, logger=DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data"))
    resolver.port = server.server.server_address[1]
    server.start_thread()
    try:
        yield resolver
    finally:
        server.stop()
        server.server.server_close()
