"""Wall time of a sweep on a local Ray instance (`ray.init(num_cpus=2)`, one task per shard)
against the same sweep on one machine (`cascade.sweep`, unsharded, 2 threads), on the log of
`overhead.py` (N generated trades): the noise strategy over a grid of 8 points, no journals.

    python crates/python/bench/ray_sweep.py [N]      # default 300000 trades

Checks that the Ray result's jobs equal the local ones; wall time only (never a result).
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import ray

import cascade
import cascade.ray

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import make_log  # noqa: E402

GRID = {"every": [10, 20, 50, 100], "qty": ["0.01", "0.02"]}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        log = make_log(n, d)
        t0 = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        t_init = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = cascade.ray.sweep(GRID, {"gen": [log]}, strategy="noise", out=d / "ray", journal=False)
        t_ray = time.perf_counter() - t0
        t0 = time.perf_counter()
        local = cascade.sweep(d / "ray" / "sweep.toml", d / "local", threads=2)
        t_local = time.perf_counter() - t0
        assert json.loads(local)["jobs"] == r.results["jobs"]
        print(
            f"{len(r.jobs)} jobs over {n} trades: Ray ({r.shards} tasks on 2 CPUs) {t_ray:.2f} s "
            f"(+ ray.init {t_init:.1f} s); one machine (cascade.sweep, 2 threads) {t_local:.2f} s; "
            f"same jobs"
        )
        ray.shutdown()


if __name__ == "__main__":
    main()
