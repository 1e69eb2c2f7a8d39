"""The plot helper draws price, mark, fills, liquidation ✕, ADL ◆ and equity."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

import cascade  # noqa: E402
import cascade.plot  # noqa: E402


def artists(fig):
    out = {}
    for ax in fig.axes:
        for a in list(ax.lines) + list(ax.collections):
            out[a.get_label()] = a
    return out


def test_a_liquidated_run_is_drawn(sample_log, tmp_path):
    r = cascade.run(
        sample_log, "buy-and-hold", params={"mode": "perp", "leverage": 50},
        crowd_book="100000@121000",
    )
    assert len(r.fills) == 1 and len(r.liquidations) == 1
    png = tmp_path / "run.png"
    fig = cascade.plot.plot_run(r, path=png)
    a = artists(fig)
    assert {"last", "mark", "buy", "liquidation", "equity"} <= set(a)
    assert "sell" not in a and "adl" not in a
    assert png.stat().st_size > 10_000
    # The ✕ sits at the liquidation's time and price, the equity line has every sample.
    (x, y), = a["liquidation"].get_offsets()
    assert abs(y - float(r.liquidations["price_str"].iloc[0])) < 1e-6
    assert len(a["equity"].get_xdata()) == len(r.equity)
    assert a["liquidation"].get_paths()  # drawn


def test_adl_diamonds_and_sells(sample_log):
    r = cascade.run(sample_log, "noise", params={"every": 100, "qty": "0.01"})
    # An ADL row placed at the first sell fill, to check its marker (the sample has no ADL).
    sells = r.fills[r.fills["side"] == "Sell"]
    adl = sells[["ts", "ts_ns", "instrument", "price", "price_str"]].head(1).assign(kind="Adl")
    fig = cascade.plot.plot_run(dataclasses.replace(r, adl=adl))
    a = artists(fig)
    assert {"buy", "sell", "adl"} <= set(a)
    assert len(a["sell"].get_offsets()) == len(sells)
    assert a["adl"].get_paths()[0] is not None
    marker_verts = a["adl"].get_paths()[0].vertices
    assert len(marker_verts) >= 4  # a diamond, not a point
