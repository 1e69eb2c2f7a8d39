"""import_files, inspect and events: the CLI's log, and its events as exact numpy arrays."""

import re
from decimal import Decimal

import numpy as np
import pytest

import cascade
from conftest import run_cli


def test_import_makes_the_cli_log_byte_for_byte(backtest, sample_log, tmp_path, root):
    cli = tmp_path / "cli.clog"
    run_cli(backtest, "import", root / "fixtures" / "sample", "--out", cli)
    assert cli.read_bytes() == sample_log.read_bytes()
    assert cascade.inspect(cli) == run_cli(backtest, "inspect", cli).stdout


def test_import_refuses_to_overwrite_an_input(tmp_path, root):
    src = tmp_path / "a.csv"
    src.write_bytes((root / "fixtures/sample/BTCUSDT-1m-2025-10-10.csv").read_bytes())
    with pytest.raises(cascade.CascadeError, match="refusing to write: it is also an input"):
        cascade.import_files(src, src)
    assert src.read_bytes() == (root / "fixtures/sample/BTCUSDT-1m-2025-10-10.csv").read_bytes()


def test_events_are_exact_arrays(sample_log):
    ev = cascade.events(sample_log)
    summary = cascade.inspect(sample_log)
    # Each kind's count is the one inspect reports.
    total = sum(len(t["ts_ns"]) for t in ev.values())
    assert re.search(rf"^events:\s+{total}$", summary, flags=re.M)
    snake = {"Trade": "trade", "DepthBand": "depth_band", "Bar": "bar", "OpenInterest": "open_interest",
             "FundingSettlement": "funding_settlement", "LongShortRatio": "long_short_ratio"}
    for kind, table in ev.items():
        assert re.search(rf"^  {snake[kind]}\s+{len(table['ts_ns'])}$", summary, flags=re.M), kind
    trades = ev["Trade"]
    assert trades["ts_ns"].dtype == np.int64 and trades["price"].dtype == np.float64
    assert np.all(np.diff(trades["ts_ns"]) >= 0)
    for raw, text, x in zip(trades["price_raw"], trades["price_str"], trades["price"]):
        assert Decimal(text) * 100_000_000 == int(raw)
        assert abs(float(text) - x) <= 1e-9 * abs(x)
    assert set(trades["symbol"]) == {"BTCUSDT"}
    bars = ev["Bar"]
    assert set(bars["source"]) == {"Last", "Mark"}
    assert np.all(bars["high_raw"] >= bars["low_raw"])


def test_fetch_dry_run_lists_the_scenario_urls(backtest, tmp_path):
    urls = cascade.fetch("2025-10-10", dry_run=True, cache=tmp_path, mirror="http://127.0.0.1:9")
    out = run_cli(
        backtest, "fetch", "--scenario", "2025-10-10", "--dry-run", "--cache", tmp_path,
        "--mirror", "http://127.0.0.1:9",
    ).stdout
    listed = re.findall(r"^\s+(http://\S+)$", out, flags=re.M)
    assert sorted(set(listed)) == sorted(urls) and len(urls) > 3
    assert not any(tmp_path.iterdir())
