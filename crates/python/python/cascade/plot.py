"""Draws a run as the HTML report does: the price and the mark, the strategy's fills (▲ buy,
▼ sell), its liquidations (✕), ADL (◆), and the equity curve below.

    import cascade, cascade.plot
    r = cascade.run("target/sample.clog", "noise", params={"every": 50, "qty": "0.01"})
    fig = cascade.plot.plot_run(r, path="run.png")

Floats are for drawing only; the run's exact numbers stay in the ``_str`` columns.
"""

from __future__ import annotations

from typing import Any, Optional

COLORS = {
    "last": "#1f4e79",
    "mark": "#e08a00",
    "buy": "#1a9850",
    "sell": "#d73027",
    "liquidation": "#000000",
    "adl": "#7b3294",
    "equity": "#2c7fb8",
}


def plot_run(
    result: Any,
    instrument: int = 0,
    *,
    title: Optional[str] = None,
    path: Optional[str] = None,
    figsize=(11, 6.5),
):
    """A two-panel figure of a :class:`cascade.RunResult` (price panel for ``instrument``,
    equity panel), saved to ``path`` when given. Returns the matplotlib figure; its axes
    carry labelled artists (``last``, ``mark``, ``buy``, ``sell``, ``liquidation``,
    ``adl``, ``equity``) so a legend or a test can find them."""
    import matplotlib.pyplot as plt

    fig, (ax_p, ax_e) = plt.subplots(
        2, 1, sharex=True, figsize=figsize, gridspec_kw={"height_ratios": [3, 1.4]}
    )
    m = result.market
    if len(m):
        m = m[m["instrument"] == instrument]
        ax_p.plot(m["ts"], m["last"], color=COLORS["last"], lw=1.0, label="last")
        if m["mark"].notna().any():
            ax_p.plot(m["ts"], m["mark"], color=COLORS["mark"], lw=0.9, ls="--", label="mark")

    def on(df):
        if len(df) and "instrument" in df.columns:
            return df[df["instrument"] == instrument]
        return df

    fills = on(result.fills)
    if len(fills):
        for side, marker in (("Buy", "^"), ("Sell", "v")):
            f = fills[fills["side"] == side]
            if len(f):
                ax_p.scatter(
                    f["ts"], f["price"], marker=marker, s=36, color=COLORS[side.lower()],
                    zorder=3, label=side.lower(),
                )
    liq = on(result.liquidations)
    if len(liq):
        ax_p.scatter(
            liq["ts"], liq["price"], marker="x", s=70, linewidths=2,
            color=COLORS["liquidation"], zorder=4, label="liquidation",
        )
    adl = on(result.adl)
    if len(adl):
        ax_p.scatter(
            adl["ts"], adl["price"], marker="D", s=48, color=COLORS["adl"], zorder=4, label="adl",
        )
    ax_p.set_ylabel("price")
    ax_p.grid(alpha=0.25)
    ax_p.legend(loc="best", fontsize=8)

    eq = result.equity
    if len(eq):
        ax_e.plot(eq["ts"], eq["equity"], color=COLORS["equity"], lw=1.2, label="equity")
    ax_e.set_ylabel("equity")
    ax_e.grid(alpha=0.25)
    manifest = getattr(result, "manifest", {}) or {}
    ax_p.set_title(
        title
        or f"{manifest.get('strategy', '')} on {manifest.get('venue', '')} — run {result.final_hash}"
    )
    fig.autofmt_xdate()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
