"""Python strategies: same run hash as the Rust strategy they re-write, the callbacks and
views, and errors that name what went wrong."""

import csv
from decimal import Decimal

import pytest

import cascade
import strategies_py  # noqa: F401  (registers py-noise and py-noop)


@pytest.mark.parametrize("every,qty", [(50, "0.01"), (7, "0.003"), (300, "0.5")])
def test_python_noise_gives_the_rust_noise_run_hash(sample_log, every, qty):
    params = {"every": every, "qty": qty}
    rust = cascade.run(sample_log, "noise", params=params)
    py = cascade.run(sample_log, "py-noise", params=params)
    assert len(rust.fills) > 0
    assert py.final_hash == rust.final_hash
    assert py.records == rust.records
    assert list(py.fills["price_str"]) == list(rust.fills["price_str"])


def test_a_different_python_strategy_gives_a_different_hash(sample_log):
    a = cascade.run(sample_log, "py-noise", params={"every": 50, "qty": "0.01"})
    b = cascade.run(sample_log, "py-noise", params={"every": 51, "qty": "0.01"})
    assert a.final_hash != b.final_hash


def test_python_strategies_are_registered_by_name():
    names = cascade.strategies()
    assert "py-noise" in names and "noise" in names and "buy-and-hold" in names
    with pytest.raises(ValueError, match="taken by a built-in"):

        class Clash(cascade.Strategy, name="noise"):
            pass


def test_unknown_parameters_are_refused_like_rust_ones(sample_log):
    with pytest.raises(cascade.CascadeError, match="evrey"):
        cascade.run(sample_log, "py-noise", params={"evrey": 5})


def test_on_start_exception_refuses_the_run(sample_log):
    with pytest.raises(cascade.CascadeError, match="no instrument 3"):
        cascade.run(sample_log, "py-noise", params={"instrument": 3})


def test_callbacks_views_timers_and_fills(sample_log, tmp_path):
    seen = {}

    class Probe(cascade.Strategy, name="py-probe"):
        params = {"qty": "0.01"}

        def __init__(self, params):
            super().__init__(params)
            self.fills = []
            self.timers = []
            self.kinds = set()
            self.kept = None

        def on_start(self, ctx):
            seen["spec"] = ctx.spec(0)
            seen["start"] = ctx.now

        def on_event(self, event, ctx):
            self.kinds.add(event.kind)
            if event.kind == "Trade" and "trade" not in seen:
                seen["trade"] = (event.price, event.qty, event.fields())
                seen["last"] = ctx.last_price(0)
                ctx.set_timer(ctx.now + 5 * 60 * 10**9, 42)
                self.kept = ctx

        def on_timer(self, timer_id, ctx):
            self.timers.append((timer_id, ctx.now))
            seen["account_before"] = ctx.account()
            ctx.set_leverage(0, 5)
            ctx.place(0, "buy", self.params["qty"])

        def on_fill(self, fill, ctx):
            self.fills.append(fill)
            seen["position"] = ctx.position(0)

        def on_finish(self, ctx):
            seen["finish_account"] = ctx.account()
            with pytest.raises(RuntimeError, match="run is over"):
                ctx.place(0, "sell", "0.01")
            with pytest.raises(RuntimeError, match="has returned"):
                self.kept.now
            seen["probe"] = self

        def notes(self):
            return [("probe", f"{len(self.fills)} fill(s)")]

    r = cascade.run(sample_log, "py-probe", out=tmp_path / "run")
    probe = seen["probe"]
    assert {"Trade", "Bar", "DepthBand", "OpenInterest"} <= probe.kinds
    price, qty, fields = seen["trade"]
    assert isinstance(price, Decimal) and price == fields["price"] and qty > 0
    assert seen["last"] == price
    assert seen["spec"]["symbol"] == "BTCUSDT" and isinstance(seen["spec"]["tick"], Decimal)
    (tid, t_ns), = probe.timers
    assert tid == 42 and t_ns >= seen["start"]
    assert len(probe.fills) == 1 and probe.fills[0]["kind"] == "Fill"
    assert probe.fills[0]["qty"] == Decimal("0.01")
    assert seen["position"]["qty"] == Decimal("0.01") and seen["position"]["leverage"] == 5
    assert seen["account_before"]["positions"] == []
    assert len(seen["finish_account"]["positions"]) == 1
    # The fill the strategy saw is the run's, exactly, and the run's files agree.
    assert list(r.fills["price_str"]) == [str(probe.fills[0]["price"])]
    with open(tmp_path / "run" / "report.fills.csv") as f:
        rows = [row for row in csv.DictReader(f) if row["kind"] == "fill"]
    assert [Decimal(row["price"]) for row in rows] == [probe.fills[0]["price"]]
    with open(tmp_path / "run" / "report.equity.csv") as f:
        equity = [row["equity"] for row in csv.DictReader(f)]
    assert equity == list(r.equity["equity_str"])
    assert "1 fill(s)" in r.report_text


def test_exception_in_a_callback_stops_the_run(sample_log):
    class Boom(cascade.Strategy, name="py-boom"):
        def on_event(self, event, ctx):
            if event.kind == "OpenInterest":
                raise KeyError("no such thing")

    with pytest.raises(cascade.CascadeError, match="(?s)py-boom.*on_event.*KeyError.*no such thing"):
        cascade.run(sample_log, "py-boom")


def test_floats_are_refused_as_quantities(sample_log):
    class Floaty(cascade.Strategy, name="py-floaty"):
        def on_event(self, event, ctx):
            ctx.place(0, "buy", 0.01)

    with pytest.raises(cascade.CascadeError, match="not a float"):
        cascade.run(sample_log, "py-floaty")


def test_the_other_views_read_what_the_log_recorded(sample_log, root):
    """Depth bands, long/short ratios, the slow windows, the one-minute history, and the
    views with nothing recorded (premium, L2 book, heatmap) — against the sample's CSVs."""
    seen = {"global": set(), "top_accounts": set()}
    end = {}

    class Views(cascade.Strategy, name="py-views"):
        def on_event(self, event, ctx):
            for src in seen:
                r = ctx.long_short(0, src)
                if r is not None:
                    seen[src].add(r)

        def on_finish(self, ctx):
            end["now"] = ctx.now
            end["depth"] = ctx.depth(0)
            end["premium"] = ctx.premium(0)
            end["book"] = ctx.book(0)
            end["heatmap"] = ctx.heatmap(0)
            end["liq_slow"] = ctx.liquidations_slow(0)
            end["flow_slow"] = ctx.flow_slow(0)
            end["flow"] = ctx.flow(0)
            end["price_at"] = ctx.price_at(0, ctx.now)
            end["last"] = ctx.last_price(0)
            end["mark_at"] = ctx.mark_at(0, ctx.now)
            end["oi_at"] = ctx.open_interest_at(0, ctx.now)
            with pytest.raises(ValueError, match="top_accounts, top_positions or global"):
                ctx.long_short(0, "retail")

    cascade.run(sample_log, "py-views")
    metrics = list(csv.DictReader(open(root / "fixtures/sample/BTCUSDT-metrics-2025-10-10.csv")))
    assert seen["global"] and seen["global"] <= {Decimal(m["count_long_short_ratio"]) for m in metrics}
    assert seen["top_accounts"] <= {Decimal(m["count_toptrader_long_short_ratio"]) for m in metrics}

    # The depth view at the end is the last snapshot recorded at or before the last event.
    rows = list(csv.DictReader(open(root / "fixtures/sample/BTCUSDT-bookDepth-2025-10-10.csv")))
    from datetime import datetime, timezone

    def ns(text):
        t = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        return int(t.timestamp()) * 1_000_000_000

    last_ts = max(r["timestamp"] for r in rows if ns(r["timestamp"]) <= end["now"])
    want = sorted(
        (int(r["percentage"]) * 100, Decimal(r["depth"]), Decimal(r["notional"]))
        for r in rows
        if r["timestamp"] == last_ts
    )
    got = [(b["band_bps"], b["qty"], b["notional"]) for b in end["depth"]]
    assert got == want
    assert end["premium"] is None and end["heatmap"] is None
    assert end["book"] == {"bids": [], "asks": []}
    assert set(end["liq_slow"]) == {"long_qty", "long_notional", "long_count", "short_qty", "short_notional", "short_count"}
    assert end["flow_slow"]["buy_qty"] >= end["flow"]["buy_qty"]
    assert end["price_at"] is not None and end["mark_at"] is not None
