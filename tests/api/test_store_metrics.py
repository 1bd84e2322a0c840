"""/metrics of a served API shows the write-behind's backlog, rows set aside and rows dropped
(service/writebehind.StoreWriter; issue 15)."""

from __future__ import annotations


def _value(text: str, name: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[1])


def test_store_writer_figures_are_exported(live, tokens):
    live.flush()
    with live.client(tokens["viewer"]) as c:
        text = c.get("/metrics").text
    assert _value(text, "fumidai_store_backlog") == 0
    assert _value(text, "fumidai_store_rows_set_aside_total") == live.svc.writer.set_aside_total
    assert _value(text, "fumidai_store_rows_dropped_total") == 0
    assert "# TYPE fumidai_store_rows_set_aside_total counter" in text
