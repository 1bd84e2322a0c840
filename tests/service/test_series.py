"""An account's series over the policy protocol: accepted and refused, messages and recipients, by country."""

from __future__ import annotations

from .conftest import CN, JP, US

QUOTA = {"messages_per_hour": 3, "messages_per_day": 100}


def _refused_at_rcpt(r, account: str, instance: str, recipients: int, ip: str) -> list[str]:
    """A suspended account's client goes on naming recipients: each RCPT is refused."""
    return [r.ask("RCPT", sasl_username=account, client_address=ip, instance=instance,
                  recipient=f"rcpt{i}@example.net") for i in range(recipients)]


def test_series_counts_recipients_by_country_and_refused_recipients(make_running):
    r = make_running(limits=QUOTA)
    start = int(r.clock() // 60)
    # Minute 0: two accepted messages from two countries.
    assert r.message("rita", ip=JP, recipients=2) == "DUNNO"
    assert r.message("rita", ip=US, recipients=3) == "DUNNO"
    r.clock.advance(60)
    # Minute 1: a third from Japan, then a fourth from China crosses the hourly quota: refused at
    # DATA with its 5 recipients, and the account is stopped.
    assert r.message("rita", ip=JP, recipients=4) == "DUNNO"
    assert r.message("rita", ip=CN, recipients=5).startswith("REJECT")
    r.clock.advance(60)
    # Minute 2: the hijacker tries again, refused at every RCPT: one message naming 3 recipients.
    assert all(a.startswith("REJECT") for a in _refused_at_rcpt(r, "rita", "again.0", 3, CN))

    series = _series(r, "rita", 3600, 60)
    points = series["points"]
    assert len(points) == 60 and series["step"] == 60
    assert all(p["time"] == _iso((start - 57 + k) * 60) for k, p in enumerate(points))
    m0, m1, m2 = points[-3:]
    assert (m0["messages"], m0["recipients"], m0["refused"], m0["refused_recipients"]) == (2, 5, 0, 0)
    assert m0["by_country"] == {"JP": 1, "US": 1} and m0["recipients_by_country"] == {"JP": 2, "US": 3}
    assert (m1["messages"], m1["recipients"], m1["refused"], m1["refused_recipients"]) == (1, 4, 1, 5)
    assert m1["by_country"] == {"JP": 1} and m1["recipients_by_country"] == {"JP": 4}
    assert (m2["messages"], m2["recipients"], m2["refused"], m2["refused_recipients"]) == (0, 0, 1, 3)
    assert m2["by_country"] == {} and m2["recipients_by_country"] == {}
    # Every other point is zero, with both new fields present.
    for p in points[:-3]:
        assert (p["refused_recipients"], p["recipients_by_country"]) == (0, {})
    # The per-country recipients add up to the recipients, in every point.
    assert all(sum(p["recipients_by_country"].values()) == p["recipients"] for p in points)

    # Coarser steps add the minutes up: with 10-minute steps the three minutes share the last
    # point (the clock starts on a whole 10 minutes; the first point starts on one too).
    coarse = _series(r, "rita", 3600, 600)["points"]
    assert start % 10 == 0 and len(coarse) == 7 and coarse[-1]["time"] == _iso(start * 60)
    last = coarse[-1]
    assert (last["messages"], last["recipients"], last["refused"], last["refused_recipients"]) == (3, 9, 2, 8)
    assert last["recipients_by_country"] == {"JP": 6, "US": 3} and last["by_country"] == {"JP": 2, "US": 1}


def test_series_of_an_unknown_account_has_the_new_fields_as_zeros(make_running):
    r = make_running()
    points = _series(r, "nobody", 600, 60)["points"]
    assert len(points) == 10
    assert all(p["refused_recipients"] == 0 and p["recipients_by_country"] == {} for p in points)


def _series(r, account: str, window: int, step: int) -> dict:
    """The live views run on the service's loop, between policy requests: so here too."""
    async def read():
        return r.service.series(account, window, step)

    return r.call(read())


def _iso(epoch: float) -> str:
    from fumidai.service.clock import iso

    return iso(epoch)
