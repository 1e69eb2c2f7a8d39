"""Per-callback cost of a Python strategy: events/s of the same strategy in Rust and in
Python over one generated log (N aggTrades rows of a random walk, seeded; the sample's mark
klines and funding for the perpetual's mark and funding).

    python crates/python/bench/overhead.py [N]      # default 300000 trades

Pairs compared (each the same logic, the same run hash — checked):
- noop vs py-noop: `on_event` called for every event, doing nothing (the bare cost of
  crossing into Python: GIL, the Ctx and Event objects, the call);
- noise vs py-noise: an order every 100 events (Python keeps a counter and places orders).
Each run is timed 3 times, interleaved, best kept; wall time only (never part of a result).
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path

import cascade

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import strategies_py  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[3]


def make_log(n: int, dir: Path) -> Path:
    rng = random.Random(7)
    start_ms = 1760122800000  # the sample's mark klines cover 3 hours from here
    span_ms = 3 * 3600 * 1000 - 1000
    price = 121800.0
    csv = dir / "BTCUSDT-aggTrades-2025-10-10.csv"
    with open(csv, "w") as f:
        f.write("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n")
        for i in range(n):
            price = max(1000.0, price + rng.choice((-0.1, 0.1)) * rng.randint(1, 20))
            ts = start_ms + i * span_ms // n
            qty = rng.randint(1, 500) / 1000
            f.write(f"{i},{price:.1f},{qty:.3f},{i},{i},{ts},{'true' if rng.random() < 0.5 else 'false'}\n")
    out = dir / "bench.clog"
    cascade.import_files(
        [csv, ROOT / "fixtures/sample/markPriceKlines", ROOT / "fixtures/sample/BTCUSDT-fundingRate-2025-10.csv"],
        out,
    )
    return out


def timed(log, strategy, params):
    t0 = time.perf_counter()
    r = cascade.run(log, strategy, params=params, journal=False)
    return time.perf_counter() - t0, r


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    with tempfile.TemporaryDirectory() as d:
        log = make_log(n, Path(d))
        events = cascade.run(log, "noop", journal=False).manifest["final_state"]["market_events"]
        print(f"log: {events} market events ({n} trades + mark bars + funding)")
        pairs = [("noop", "py-noop", {}), ("noise", "py-noise", {"every": 100, "qty": "0.01"})]
        for rust, py, params in pairs:
            best = {rust: 1e9, py: 1e9}
            hashes = {}
            for _ in range(3):
                for s in (rust, py):
                    t, r = timed(log, s, params)
                    best[s] = min(best[s], t)
                    hashes[s] = r.final_hash
            assert hashes[rust] == hashes[py], hashes
            er, ep = events / best[rust], events / best[py]
            per_cb_us = (best[py] - best[rust]) / events * 1e6
            print(
                f"{rust:>6} (Rust) {er:>12,.0f} events/s | {py:>8} (Python) {ep:>10,.0f} events/s | "
                f"{er / ep:5.1f}x slower, +{per_cb_us:.2f} us per callback | same hash {hashes[py]}"
            )


if __name__ == "__main__":
    main()
