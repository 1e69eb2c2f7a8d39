"""cascade from Python: the deterministic backtester for leveraged crypto markets.

A thin layer over the Rust library (the extension module ``cascade._cascade``): every
function does what the ``backtest`` command of the same name does, and returns its results
as pandas data frames and numpy arrays. Exact decimals stay available: every fixed-point
column ``x`` (a float, for plotting and statistics) has ``x_str`` beside it with the exact
decimal text, and strategy callbacks see ``decimal.Decimal`` values.

    import cascade
    score = cascade.score(scenarios=["2025-10-10"])
    score.cards[["entry", "scenario", "run_hash", "total_return"]]

Strategies written in Python subclass :class:`Strategy` and are registered by name
(``class MyStrategy(cascade.Strategy, name="my-strategy")``); they then run wherever a Rust
strategy does: :func:`run`, sweeps, and the entries of a suite file given to :func:`score`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _cascade
from ._cascade import CascadeError, Ctx, Event, ENGINE_VERSION

__all__ = [
    "CascadeError",
    "Ctx",
    "Event",
    "ENGINE_VERSION",
    "Strategy",
    "RunResult",
    "ScoreResult",
    "score",
    "run",
    "import_files",
    "inspect",
    "events",
    "fetch",
    "sweep",
    "merge",
    "write_sweep_file",
    "strategies",
    "checkout",
]

PathLike = Union[str, "os.PathLike[str]"]

_HOOKS = (
    "on_start",
    "on_event",
    "on_output",
    "on_fill",
    "on_funding",
    "on_liquidation",
    "on_adl",
    "on_timer",
    "on_finish",
    "notes",
)


def checkout() -> Optional[Path]:
    """The source checkout this package was built from, when it is still there (for the
    bundled ``fixtures/``): ``CASCADE_ROOT``, else the folder above ``crates/python``."""
    env = os.environ.get("CASCADE_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "fixtures" / "suite.toml").is_file() and (parent / "Cargo.toml").is_file():
            return parent
    cwd = Path.cwd()
    for parent in (cwd, *cwd.parents):
        if (parent / "fixtures" / "suite.toml").is_file():
            return parent
    return None


def _bundled(p: Optional[PathLike], default: str) -> Path:
    """A path as given, or the checkout's bundled default (as the CLI resolves them)."""
    if p is not None:
        return Path(p)
    if Path(default).exists():
        return Path(default)
    root = checkout()
    if root is None:
        raise CascadeError(
            f"{default}: not found here and no checkout known; pass the path or set CASCADE_ROOT"
        )
    return root / default


# ---------------------------------------------------------------------------------------
# Columns from Rust → numpy / pandas
# ---------------------------------------------------------------------------------------


def _arrays(cols) -> Dict[str, np.ndarray]:
    out: Dict[str, np.ndarray] = {}
    for name, dtype, data in cols:
        if dtype == "str":
            out[name] = np.array(data, dtype=object)
        else:
            out[name] = np.frombuffer(data, dtype=dtype).copy()
    return out


def _frame(cols) -> pd.DataFrame:
    arrays = _arrays(cols)
    df = pd.DataFrame(arrays)
    if "ts_ns" in df.columns:
        df.insert(0, "ts", pd.to_datetime(df["ts_ns"], unit="ns", utc=True))
    return df


# ---------------------------------------------------------------------------------------
# Strategies in Python
# ---------------------------------------------------------------------------------------


class Strategy:
    """A strategy written in Python: the callbacks of the Rust ``Strategy`` trait.

    Subclass it and give it a name; it is registered under that name::

        class Flip(cascade.Strategy, name="py-flip", description="buys, then sells"):
            params = {"qty": "0.01"}          # the parameters it takes, with defaults
            def on_event(self, event, ctx):
                ...

    Each callback gets a :class:`Ctx` (valid for that call only): ``ctx.now`` (ns),
    ``ctx.last_price(i)``, ``ctx.mark(i)``, ``ctx.quote(i)``, ``ctx.account()``,
    ``ctx.position(i)``, … and the commands ``ctx.place(...)``, ``ctx.cancel(...)``,
    ``ctx.set_leverage(...)``, ``ctx.transfer(...)``, ``ctx.set_timer(...)``. Commands reach
    the exchange after the run's order-entry latency, as a Rust strategy's do.

    Only the callbacks a class overrides are called. The order of calls per market event is
    the Rust trait's: due timers, then outputs (``on_output``, which by default dispatches
    fills, funding, liquidations and ADL to ``on_fill``, ``on_funding``, ``on_liquidation``
    and ``on_adl``), then ``on_event``. An exception in ``on_start`` refuses the run (like a
    bad parameter); in any other callback it stops the run.

    Parameters arrive in ``self.params``: the class's ``params`` defaults updated with what
    the run gives (a given value converted to the default's type; a name not declared is
    refused by the registry, as for Rust strategies). Stay deterministic: no wall clock, no
    unseeded randomness; use ``Decimal`` for money.
    """

    #: The parameters the strategy takes, with their defaults.
    params: Mapping[str, Any] = {}
    #: The registry name (set by the ``name=`` class keyword).
    name: Optional[str] = None
    _cascade_hooks: tuple = ()

    def __init_subclass__(cls, name: Optional[str] = None, description: str = "", **kw):
        super().__init_subclass__(**kw)
        cls._cascade_hooks = tuple(
            h for h in _HOOKS if getattr(cls, h) is not getattr(Strategy, h)
        )
        if name is not None:
            cls.name = name
            _cascade.register_strategy(
                name,
                cls,
                description or (cls.__doc__ or "").strip().split("\n")[0] or f"Python strategy {cls.__qualname__}",
                list(cls.params),
            )

    def __init__(self, params: Optional[Mapping[str, Any]] = None):
        merged = dict(type(self).params)
        for k, v in (params or {}).items():
            default = merged.get(k)
            merged[k] = _coerce(k, v, default)
        self.params = merged

    def on_start(self, ctx: Ctx) -> None:
        """Once before the first event; raise to refuse the run (bad configuration)."""

    def on_event(self, event: Event, ctx: Ctx) -> None:
        """A recorded market event, already applied to the market view."""

    def on_output(self, output: dict, ctx: Ctx) -> None:
        """An exchange output for the strategy's accounts (a dict with ``kind``). The default
        dispatches fills, funding, liquidations and ADL to the methods below."""
        kind = output.get("kind")
        if kind == "Fill":
            self.on_fill(output, ctx)
        elif kind == "Funding":
            self.on_funding(output, ctx)
        elif kind == "Liquidation":
            self.on_liquidation(output, ctx)
        elif kind == "Adl":
            self.on_adl(output, ctx)

    def on_fill(self, fill: dict, ctx: Ctx) -> None:
        """One of the strategy's orders was filled."""

    def on_funding(self, funding: dict, ctx: Ctx) -> None:
        """Funding was paid or received."""

    def on_liquidation(self, liquidation: dict, ctx: Ctx) -> None:
        """A position was (partly) liquidated."""

    def on_adl(self, adl: dict, ctx: Ctx) -> None:
        """A position was auto-deleveraged (or offset by ADL)."""

    def on_timer(self, timer_id: int, ctx: Ctx) -> None:
        """A timer set with ``ctx.set_timer`` is due."""

    def on_finish(self, ctx: Ctx) -> None:
        """After the last event; the context is read-only."""

    def notes(self) -> List[tuple]:
        """What the run's scorecard should say: a list of ``(topic, text)``."""
        return []


def _coerce(name: str, value: Any, default: Any) -> Any:
    """A given parameter in the type of its declared default (``k=v`` overrides are text)."""
    if default is None or (type(value) is type(default)):
        return value
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                if value.lower() in ("true", "1", "yes"):
                    return True
                if value.lower() in ("false", "0", "no"):
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, Decimal):
            return Decimal(str(value))
        if isinstance(default, float):
            return float(value)
        if isinstance(default, str):
            return str(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"parameter {name}: expected {type(default).__name__}, found {value!r}"
        ) from None
    return value


def strategies() -> List[str]:
    """Every strategy name a run knows: the Rust ones and the registered Python classes."""
    return list(_cascade.strategy_names())


def unregister(name: str) -> bool:
    """Forgets a registered Python strategy."""
    return _cascade.unregister_strategy(name)


# ---------------------------------------------------------------------------------------
# score
# ---------------------------------------------------------------------------------------


@dataclass
class ScoreResult:
    """The outcome of :func:`score`: ``cards`` (one row per entry × scenario × data),
    ``failures``, ``text`` (the CLI's table) and ``json`` (the CLI's ``score.json`` text,
    byte for byte; ``outcome`` is it parsed)."""

    json: str
    text: str
    outcome: dict
    cards: pd.DataFrame
    failures: List[dict]

    def __repr__(self) -> str:
        return f"ScoreResult({len(self.cards)} cards, {len(self.failures)} failures)"


def _card_rows(outcome: dict) -> pd.DataFrame:
    rows = []
    for c in outcome.get("cards", []):
        row = {k: v for k, v in c.items() if not isinstance(v, (dict, list))}
        for k, v in (c.get("scorecard") or {}).items():
            if isinstance(v, (dict, list)):
                continue
            row[k] = v
        for k, v in (c.get("market") or {}).items():
            if not isinstance(v, (dict, list)):
                row[f"market_{k}"] = v
        row["notes"] = "; ".join(
            f"{n.get('topic')}: {n.get('text')}" for n in c.get("notes", []) if isinstance(n, dict)
        )
        rows.append(row)
    df = pd.DataFrame(rows)
    # Exact decimals arrive as strings: keep them (`x_str`) and make `x` a float beside.
    text = {"entry", "strategy", "scenario", "data", "venue", "venue_rules", "run_hash", "currency", "notes"}
    for col in list(df.columns):
        if col in text:
            continue
        if pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object:
            as_num = pd.to_numeric(df[col], errors="coerce")
            if as_num.notna().sum() and as_num.notna().sum() == df[col].notna().sum():
                df[f"{col}_str"] = df[col]
                df[col] = as_num
    return df


def score(
    params: Optional[PathLike] = None,
    *,
    strategies: Optional[Sequence[str]] = None,
    scenarios: Optional[Sequence[str]] = None,
    data: Optional[PathLike] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    scenario_dir: Optional[PathLike] = None,
) -> ScoreResult:
    """``backtest score``: every entry of the suite file (default ``fixtures/suite.toml``)
    against every scenario (``fixtures/scenarios``). ``strategies`` and ``scenarios`` select
    as ``--strategies``/``--scenarios``; ``data`` adds real-data runs; ``out`` writes the
    CLI's files. Results do not depend on ``threads``."""
    text_json, text, _ = _cascade.score(
        str(_bundled(params, "fixtures/suite.toml")),
        str(_bundled(scenario_dir, "fixtures/scenarios")),
        list(strategies) if strategies else None,
        list(scenarios) if scenarios else None,
        str(data) if data is not None else None,
        threads,
        str(out) if out is not None else None,
    )
    outcome = json.loads(text_json)
    return ScoreResult(
        json=text_json,
        text=text,
        outcome=outcome,
        cards=_card_rows(outcome),
        failures=list(outcome.get("failures", [])),
    )


# ---------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """The outcome of :func:`run`. ``final_hash`` is the run hash (the journal's rolling
    hash, as ``backtest run`` prints it); ``equity``, ``fills``, ``liquidations``, ``adl``,
    ``outputs`` and ``market`` are data frames (times as ``ts`` UTC and ``ts_ns``;
    fixed-point columns as float with the exact ``_str`` text beside)."""

    final_hash: str
    records: int
    manifest: dict
    report_text: str
    equity: pd.DataFrame
    fills: pd.DataFrame
    liquidations: pd.DataFrame
    adl: pd.DataFrame
    outputs: pd.DataFrame
    market: pd.DataFrame
    crowd_text: Optional[str] = None
    logs: List[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"RunResult(hash={self.final_hash}, {len(self.fills)} fills, "
            f"{len(self.liquidations)} liquidations, {len(self.adl)} ADL)"
        )


def run(
    logs: Union[PathLike, Sequence[PathLike]],
    strategy: str,
    *,
    venue: str = "binance-usdm",
    params: Optional[Mapping[str, Any]] = None,
    params_file: Optional[PathLike] = None,
    out: Optional[PathLike] = None,
    latency_ms: int = 10,
    sample_interval_s: int = 60,
    deposit: Union[str, int, Decimal] = "10000",
    insurance_fund: str = "venue",
    seed: int = 0,
    expand_bars: bool = True,
    bar_order: str = "declared",
    journal: bool = True,
    check_invariants: bool = False,
    from_: Optional[str] = None,
    to: Optional[str] = None,
    funding_default: Optional[str] = None,
    mark_default: Optional[str] = None,
    crowd: Optional[PathLike] = None,
    crowd_book: Optional[str] = None,
) -> RunResult:
    """``backtest run``: one strategy (Rust or a registered Python class) over event logs,
    with the CLI's options and defaults. ``out`` writes the run directory (journal,
    reports, manifest) that ``backtest replay --verify`` checks."""
    if isinstance(logs, (str, os.PathLike)):
        logs = [logs]
    options = dict(
        latency_ms=latency_ms,
        sample_interval_s=sample_interval_s,
        deposit=str(deposit),
        insurance_fund=str(insurance_fund),
        seed=seed,
        expand_bars=expand_bars,
        bar_order=bar_order,
        journal=journal,
        check_invariants=check_invariants,
        from_=from_,
        to=to,
        funding_default=funding_default,
        mark_default=mark_default,
        crowd=str(crowd) if crowd is not None else None,
        crowd_book=crowd_book,
    )
    d = _cascade.run(
        [str(p) for p in logs],
        strategy,
        venue,
        dict(params) if params else None,
        str(params_file) if params_file is not None else None,
        str(out) if out is not None else None,
        options,
    )
    return RunResult(
        final_hash=d["final_hash"],
        records=d["records"],
        manifest=json.loads(d["manifest"]),
        report_text=d["report_text"],
        crowd_text=d["crowd_text"],
        equity=_frame(d["equity"]),
        fills=_frame(d["fills"]),
        liquidations=_frame(d["liquidations"]),
        adl=_frame(d["adl"]),
        outputs=_frame(d["outputs"]),
        market=_frame(d["market"]),
        logs=[str(p) for p in logs],
    )


# ---------------------------------------------------------------------------------------
# logs: import, inspect, events
# ---------------------------------------------------------------------------------------


def import_files(
    inputs: Union[PathLike, Sequence[PathLike]],
    out: PathLike,
    *,
    format: Optional[str] = None,
    venue: Optional[str] = None,
    symbol: Optional[str] = None,
    bar_source: Optional[str] = None,
    max_jump: Optional[float] = None,
    allow_implausible: bool = False,
    dedupe: bool = False,
    threads: int = 0,
) -> str:
    """``backtest import``: data files or folders into one event log at ``out``, through the
    same data-quality gate. Returns the log's summary (``backtest inspect``)."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    summary, _lines = _cascade.import_files(
        [str(p) for p in inputs],
        str(out),
        format,
        venue,
        symbol,
        bar_source,
        max_jump,
        allow_implausible,
        dedupe,
        threads,
    )
    return summary


def inspect(log: PathLike) -> str:
    """``backtest inspect``: the log's summary (reads and verifies the whole file)."""
    return _cascade.inspect(str(log))


def events(log: PathLike) -> Dict[str, Dict[str, np.ndarray]]:
    """A log's events as numpy arrays, one table per event kind (``Trade``, ``Bar``,
    ``MarkPrice``, …): ``ts_ns`` (int64 ns UTC), ``instrument`` (id), ``symbol``, and the
    body's fields. Each fixed-point field ``x`` is ``x`` (float64), ``x_raw`` (int64, exact
    10⁻⁸ units) and ``x_str`` (exact decimal text)."""
    tables, symbols = _cascade.events(str(log))
    out: Dict[str, Dict[str, np.ndarray]] = {}
    sym = np.array(symbols, dtype=object)
    for kind, cols in tables.items():
        arrays = _arrays(cols)
        arrays["symbol"] = sym[arrays["instrument"]] if len(sym) else np.array([], dtype=object)
        out[kind] = arrays
    return out


# ---------------------------------------------------------------------------------------
# fetch
# ---------------------------------------------------------------------------------------


def fetch(
    scenario: Optional[str] = None,
    *,
    with_trades: bool = False,
    scenario_dir: Optional[PathLike] = None,
    symbols: Sequence[str] = (),
    types: Sequence[str] = ("klines",),
    interval: str = "1m",
    from_: Optional[str] = None,
    to: Optional[str] = None,
    market: str = "um",
    cache: Optional[PathLike] = None,
    mirror: Optional[str] = None,
    threads: int = 4,
    dry_run: bool = False,
) -> List[str]:
    """``backtest fetch``: Binance public-data archive files into the cache, each checked
    against its checksum. Returns the URLs (with ``dry_run``, nothing is downloaded)."""
    sd = _bundled(scenario_dir, "fixtures/scenarios") if scenario is not None else Path(scenario_dir or ".")
    urls, _summary = _cascade.fetch(
        scenario,
        with_trades,
        str(sd),
        list(symbols),
        list(types),
        interval,
        from_,
        to,
        market,
        str(cache) if cache is not None else None,
        mirror,
        threads,
        dry_run,
    )
    return list(urls)


# ---------------------------------------------------------------------------------------
# sweeps
# ---------------------------------------------------------------------------------------


def write_sweep_file(
    path: PathLike,
    *,
    strategy: str,
    venue: str,
    grid: Mapping[str, Sequence[Any]],
    scenarios: Mapping[str, Sequence[PathLike]],
    params: Optional[Mapping[str, Any]] = None,
    config: Optional[Mapping[str, Any]] = None,
    journal: bool = True,
) -> int:
    """Writes the sweep file ``backtest sweep`` reads; returns its number of jobs. Log paths
    are written as given (relative ones resolve against the file's folder)."""
    return _cascade.write_sweep_file(
        str(path),
        strategy,
        venue,
        {k: list(v) for k, v in grid.items()},
        [(name, [str(p) for p in logs]) for name, logs in scenarios.items()],
        dict(params) if params else None,
        dict(config) if config else None,
        journal,
    )


def sweep(
    file: PathLike,
    out: PathLike,
    *,
    shard: Optional[tuple] = None,
    threads: Optional[int] = None,
) -> str:
    """``backtest sweep FILE --out DIR [--shard i/n]``: returns the shard's results text
    (the bytes written to ``DIR/results*.json``)."""
    i, n = shard if shard is not None else (0, 1)
    return _cascade.sweep(str(file), str(out), i, n, threads)


def merge(files: Sequence[PathLike], out: Optional[PathLike] = None) -> str:
    """``backtest merge``: the shards' results in the sweep's job order (refuses missing or
    overlapping shards). Returns the merged text; writes it to ``out`` when given."""
    return _cascade.merge([str(f) for f in files], str(out) if out is not None else None)
