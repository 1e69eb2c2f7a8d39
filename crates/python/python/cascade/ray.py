"""Sweeps on a Ray cluster: the shards of ``backtest sweep`` as Ray tasks, merged in the
sweep's deterministic job order.

Each task runs one shard (``backtest sweep FILE --shard i/n``: the jobs ``j`` with
``j mod n == i``, each a deterministic engine) and returns its results text; the driver
writes the shard files and merges them exactly as ``backtest merge`` does. The merged result
is byte for byte the one of ``backtest sweep --shard i/n`` for every ``i`` on one machine
followed by ``backtest merge``, whatever the cluster, the task order or the thread counts.

On a cluster, every worker must reach the sweep's files at the same paths: the sweep file
and the scenarios' logs (give absolute paths on a shared file system), and ``out`` (the run
directories of the jobs are written there by the workers). Python strategies must be
importable on the workers: name their modules in ``modules``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import json

import pandas as pd

import cascade


@dataclass
class SweepResult:
    """A merged sweep: ``text`` (the merged results file's bytes, as ``backtest merge``
    writes them), ``results`` (parsed), ``jobs`` (one row per job, in job order), ``path``
    (where the merged file was written) and ``shards``."""

    text: str
    results: dict
    jobs: pd.DataFrame
    path: Path
    shards: int


def _run_shard(file: str, out: str, index: int, count: int, threads: int, modules: Sequence[str]) -> str:
    for m in modules:
        importlib.import_module(m)
    return cascade.sweep(file, out, shard=(index, count), threads=threads)


def sweep(
    grid: Mapping[str, Sequence[Any]],
    scenarios: Mapping[str, Sequence[Any]],
    address: Optional[str] = None,
    *,
    strategy: str,
    out: Any,
    venue: str = "binance-usdm",
    params: Optional[Mapping[str, Any]] = None,
    config: Optional[Mapping[str, Any]] = None,
    journal: bool = True,
    shards: Optional[int] = None,
    threads_per_task: int = 1,
    modules: Sequence[str] = (),
    file_name: str = "sweep.toml",
) -> SweepResult:
    """Runs a sweep's shards as Ray tasks and merges them.

    ``grid``: parameter name → list of values (the jobs are the cartesian product);
    ``scenarios``: scenario name → event logs; ``strategy``, ``venue``, ``params`` (fixed
    parameters) and ``config`` (run settings) as in the sweep file. The sweep file is
    written to ``out/file_name`` and the merged results to ``out/merged.json``.

    ``address``: the Ray cluster (``"auto"``, ``"ray://head:10001"``, …); None connects to
    a running local instance or starts one — unless Ray is already initialised, which is
    used as it is. ``shards``: how many tasks (default: the cluster's CPUs, at most one per
    job); each task runs its jobs on ``threads_per_task`` threads.
    """
    import ray

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    file = out / file_name
    total = cascade.write_sweep_file(
        file,
        strategy=strategy,
        venue=venue,
        grid=grid,
        scenarios={k: [str(Path(p).resolve()) for p in v] for k, v in scenarios.items()},
        params=params,
        config=config,
        journal=journal,
    )
    if not ray.is_initialized():
        ray.init(address=address)
    if shards is None:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        shards = max(1, min(total, cpus))
    task = ray.remote(num_cpus=threads_per_task)(_run_shard)
    refs = [
        task.remote(str(file), str(out), i, shards, threads_per_task, tuple(modules))
        for i in range(shards)
    ]
    texts = ray.get(refs)
    files = []
    for i, text in enumerate(texts):
        p = out / (f"results-shard-{i}-of-{shards}.json" if shards > 1 else "results.json")
        # On a shared file system the worker wrote this file already; the driver writes the
        # text the task returned, which is the same bytes.
        p.write_text(text)
        files.append(p)
    merged_path = out / "merged.json"
    text = cascade.merge(files, merged_path)
    results = json.loads(text)
    return SweepResult(
        text=text,
        results=results,
        jobs=pd.DataFrame(results["jobs"]),
        path=merged_path,
        shards=shards,
    )
