"""`fumidai geoip build|lookup` end to end through the real command line."""

from __future__ import annotations

import pytest

from fumidai.cli import main


def test_build_from_csv_then_lookup(tmp_path, capsys):
    csv = tmp_path / "ranges.csv"
    csv.write_text("network,country\n198.51.100.0/24,JP\n203.0.113.0/24,CN\n2001:db8::/32,JP\n")
    out = tmp_path / "c.mmdb"
    assert main(["geoip", "build", "--from-csv", str(csv), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 3 networks, 2 countries\n"

    assert main(["geoip", "lookup", "--database", str(out), "198.51.100.9", "203.0.113.1", "2001:db8::5",
                 "192.0.2.1", "unknown"]) == 0
    unknown = "(unknown: counted as abroad, [geoip] unknown_country)"
    assert capsys.readouterr().out.splitlines() == [
        "198.51.100.9 JP (Japan)", "203.0.113.1 CN (China)", "2001:db8::5 JP (Japan)",
        f"192.0.2.1 ZZ {unknown}", f"unknown ZZ {unknown}"]


def test_build_demo_and_lookup_with_the_configured_database(tmp_path, capsys, monkeypatch):
    out = tmp_path / "demo.mmdb"
    assert main(["geoip", "build", "--demo", "-o", str(out)]) == 0
    assert "countries" in capsys.readouterr().out
    config = tmp_path / "fumidai.toml"
    config.write_text(f'[geoip]\ndatabase = "{out}"\n')
    monkeypatch.delenv("FUMIDAI_CONFIG", raising=False)
    assert main(["geoip", "lookup", "--config", str(config), "133.0.0.1"]) == 0
    assert capsys.readouterr().out == "133.0.0.1 JP (Japan)\n"


def test_build_from_rir_reports_skipped_overlaps(tmp_path, capsys):
    arin, lacnic = tmp_path / "delegated-arin-extended-latest", tmp_path / "delegated-lacnic-extended-latest"
    arin.write_text("2|arin|20240601|2|19830101|20240531|-0400\narin|US|ipv4|198.51.100.0|256|20100101|allocated|x\n")
    # The same block, claimed by another registry mid-transfer.
    lacnic.write_text("2|lacnic|20240601|2|19830101|20240531|-0300\n"
                      "lacnic|BR|ipv4|198.51.100.0|256|20240501|allocated|y\n"
                      "lacnic|BR|ipv4|203.0.113.0|256|20240501|assigned|y\n")
    out = tmp_path / "rir.mmdb"
    assert main(["geoip", "build", "--from-rir", str(arin), str(lacnic), "-o", str(out)]) == 0
    assert capsys.readouterr().out == (f"wrote {out}: 2 networks, 2 countries\n"
                                       "skipped 1 blocks that overlap another country's\n")
    assert main(["geoip", "lookup", "--database", str(out), "203.0.113.1"]) == 0
    assert capsys.readouterr().out == "203.0.113.1 BR (Brazil)\n"


def test_errors_are_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("network,country\n10.0.0.0/8,QQ\n")
    assert main(["geoip", "build", "--from-csv", str(bad), "-o", str(tmp_path / "x.mmdb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fumidai: error: {bad} line 2: 'QQ'") and err.count("\n") == 1

    assert main(["geoip", "lookup", "--database", str(bad), "1.2.3.4"]) == 2
    err = capsys.readouterr().err
    assert "is not a MaxMind-format (.mmdb) file" in err and "fumidai geoip build --demo" in err


def test_build_needs_exactly_one_source(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["geoip", "build", "--demo", "--from-csv", "x.csv", "-o", str(tmp_path / "x.mmdb")])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
