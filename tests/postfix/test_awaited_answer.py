"""An answer the handler cannot give at once (a suspension being written durably first).

The handler returns a future; the server sends nothing on that connection until it is
done, keeps later requests of the connection in order, and other connections go on.
"""

from __future__ import annotations

import asyncio

from fumidai.postfix.server import PolicyServer

FIRST = b"request=smtpd_access_policy\nprotocol_state=DATA\nsasl_username=hijacked\nrecipient_count=1\n\n"
SECOND = b"request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=hijacked\nrecipient_count=0\n\n"
OTHER = b"request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=alice\nrecipient_count=0\n\n"


def test_a_future_answer_holds_its_connection_only_and_keeps_the_order():
    async def main():
        loop = asyncio.get_running_loop()
        held: list[asyncio.Future] = []
        seen: list[str] = []

        def handle(attrs):
            seen.append(f"{attrs['sasl_username']}:{attrs['protocol_state']}")
            if attrs["protocol_state"] == "DATA":
                fut = loop.create_future()
                held.append(fut)
                return fut
            return "REJECT suspended" if attrs["sasl_username"] == "hijacked" else "DUNNO"

        server = PolicyServer(handle, "127.0.0.1:0", attributes=("sasl_username", "protocol_state"))
        await server.start()
        host, port = server.address.rsplit(":", 1)
        r1, w1 = await asyncio.open_connection(host, int(port))
        r2, w2 = await asyncio.open_connection(host, int(port))
        try:
            w1.write(FIRST + SECOND)  # two requests back to back on one connection
            await w1.drain()
            while not held:
                await asyncio.sleep(0.005)
            # The other connection is answered while the first waits.
            w2.write(OTHER)
            assert await asyncio.wait_for(r2.readuntil(b"\n\n"), 2) == b"action=DUNNO\n\n"
            # Nothing on the waiting connection, and its second request was not handled yet.
            try:
                early = await asyncio.wait_for(r1.read(100), 0.2)
            except asyncio.TimeoutError:
                early = b""
            assert early == b""
            assert seen == ["hijacked:DATA", "alice:RCPT"]
            held[0].set_result("REJECT 5.7.1 suspended")
            assert await asyncio.wait_for(r1.readuntil(b"\n\n"), 2) == b"action=REJECT 5.7.1 suspended\n\n"
            assert await asyncio.wait_for(r1.readuntil(b"\n\n"), 2) == b"action=REJECT suspended\n\n"
            assert seen == ["hijacked:DATA", "alice:RCPT", "hijacked:RCPT"]
        finally:
            w1.close()
            w2.close()
            await server.stop()

    asyncio.run(main())


def test_a_failed_future_answers_on_error():
    async def main():
        loop = asyncio.get_running_loop()

        def handle(attrs):
            fut = loop.create_future()
            loop.call_later(0.01, fut.set_exception, RuntimeError("store gone"))
            return fut

        server = PolicyServer(handle, "127.0.0.1:0", on_error="DUNNO")
        await server.start()
        host, port = server.address.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(FIRST)
            assert await asyncio.wait_for(reader.readuntil(b"\n\n"), 2) == b"action=DUNNO\n\n"
        finally:
            writer.close()
            await server.stop()

    asyncio.run(main())
