"""GET /accounts/{account}/series over HTTP after real policy requests: recipients by country and
refused recipients, as the OpenAPI schema describes them."""

from __future__ import annotations

import uuid

from fumidai.api.schemas import SeriesResponse


def _send(live, account: str, client: str, recipients: int) -> str:
    return live.send(account, client, uuid.uuid4().hex[:12], recipients)


def _sum(points: list[dict], key: str) -> int:
    return sum(p[key] for p in points)


def _sum_by(points: list[dict], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in points:
        for code, n in p[key].items():
            out[code] = out.get(code, 0) + n
    return out


def test_series_has_recipients_by_country_and_refused_recipients(live, tokens, jp_address):
    from fumidai.geo.build import demo_address

    us_address = demo_address("US")
    assert _send(live, "sven", jp_address, 3) == "DUNNO"
    assert _send(live, "sven", jp_address, 2) == "DUNNO"
    assert _send(live, "sven", us_address, 4) == "DUNNO"
    with live.client(tokens["operator"]) as c:
        c.post("/api/v1/accounts/sven/suspend", json={"reason": "series test"}).raise_for_status()
        # Refused at each of its 6 RCPTs: one refused message that named 6 recipients.
        assert _send(live, "sven", us_address, 6).startswith("REJECT")
        r = c.get("/api/v1/accounts/sven/series", params={"window": 3600, "step": 300})
        assert r.status_code == 200, r.text
        body = r.json()
        schema = c.get("/api/v1/openapi.json").json()
    points = body["points"]
    # The requests may straddle a minute (or a step): the sums over the window are what is exact.
    assert (_sum(points, "messages"), _sum(points, "recipients")) == (3, 9)
    assert (_sum(points, "refused"), _sum(points, "refused_recipients")) == (1, 6)
    assert _sum_by(points, "by_country") == {"JP": 2, "US": 1}
    assert _sum_by(points, "recipients_by_country") == {"JP": 5, "US": 4}
    for p in points:
        assert sum(p["recipients_by_country"].values()) == p["recipients"]
        assert set(p["recipients_by_country"]) == set(p["by_country"])
        assert p["refused_recipients"] >= p["refused"]  # a refused message names at least one

    # The answer is what the schema says: the same keys, and values of the declared types.
    point_schema = schema["components"]["schemas"]["SeriesPoint"]
    assert all(set(p) == set(point_schema["properties"]) for p in points)
    assert {"refused_recipients", "recipients_by_country"} <= set(point_schema["properties"])
    assert {"refused_recipients", "recipients_by_country"}.isdisjoint(point_schema["required"])  # may be absent
    ref = schema["paths"]["/api/v1/accounts/{account}/series"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/SeriesResponse"
    parsed = SeriesResponse.model_validate(body)
    assert parsed.points[-1].recipients_by_country == points[-1]["recipients_by_country"]


def test_series_of_an_account_without_traffic(live, tokens):
    with live.client(tokens["viewer"]) as c:
        body = c.get("/api/v1/accounts/never-sent/series", params={"window": 600, "step": 60}).json()
    assert len(body["points"]) == 10
    assert all(p["refused_recipients"] == 0 and p["recipients_by_country"] == {} for p in body["points"])
