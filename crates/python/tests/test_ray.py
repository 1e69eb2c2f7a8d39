"""A sweep's shards as Ray tasks on a local instance: the merged result is byte for byte the
one-machine `backtest sweep --shard i/n` + `backtest merge`."""

import json
import time
from pathlib import Path

import pytest

import cascade
import cascade.ray
from conftest import run_cli

import ray  # noqa: E402

GRID = {"every": [20, 50, 100], "qty": ["0.01", "0.02"]}


TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def local_ray():
    # The workers import the tests' Python strategies (`modules=`) from here.
    ray.init(
        num_cpus=2, include_dashboard=False, log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(TESTS)}},
    )
    yield
    ray.shutdown()


def test_ray_sweep_equals_the_cli_sweep_byte_for_byte(local_ray, sample_log, backtest, tmp_path):
    scenarios = {"sample": [sample_log], "sample-again": [sample_log]}
    t0 = time.perf_counter()  # wall time is printed, never part of a result
    r = cascade.ray.sweep(
        GRID, scenarios, strategy="noise", venue="binance-usdm", out=tmp_path / "ray", shards=3,
    )
    ray_s = time.perf_counter() - t0
    assert r.shards == 3 and len(r.jobs) == 12 and r.results["shard_count"] == 3
    assert r.jobs["error"].isna().all()
    assert len(set(r.jobs["final_hash"])) == 6  # the two scenarios repeat the six grid points

    # One machine: the same sweep file, every shard with the CLI, merged with the CLI.
    sweep_file = tmp_path / "ray" / "sweep.toml"
    one = tmp_path / "one"
    t0 = time.perf_counter()
    for i in range(3):
        run_cli(backtest, "sweep", sweep_file, "--out", one, "--shard", f"{i}/3", "--threads", "1")
    files = [one / f"results-shard-{i}-of-3.json" for i in range(3)]
    run_cli(backtest, "merge", *files, "--out", one / "merged.json")
    cli_s = time.perf_counter() - t0
    assert r.text.encode() == (one / "merged.json").read_bytes()
    assert r.path.read_bytes() == (one / "merged.json").read_bytes()

    # And the jobs are those of the unsharded sweep, in its order.
    run_cli(backtest, "sweep", sweep_file, "--out", tmp_path / "whole")
    whole = json.loads((tmp_path / "whole" / "results.json").read_text())
    assert r.results["jobs"] == whole["jobs"]
    print(f"\nray sweep (3 shards on 2 CPUs): {ray_s:.2f} s; CLI shards one after another: {cli_s:.2f} s")


def test_a_python_strategy_sweeps_on_ray_like_its_rust_twin(local_ray, sample_log, tmp_path):
    grid = {"every": [20, 50], "qty": ["0.01"]}
    py = cascade.ray.sweep(grid, {"s": [sample_log]}, strategy="py-noise", out=tmp_path / "py",
                           shards=2, modules=["strategies_py"])
    rust = cascade.ray.sweep(grid, {"s": [sample_log]}, strategy="noise", out=tmp_path / "rust",
                             shards=2)
    assert py.jobs["error"].isna().all(), list(py.jobs["error"])
    assert list(py.jobs["final_hash"]) == list(rust.jobs["final_hash"])
    assert list(py.jobs["fills"]) == list(rust.jobs["fills"]) and py.jobs["fills"].min() > 0


def test_merge_refuses_a_missing_shard(tmp_path, sample_log):
    f = tmp_path / "s.toml"
    n = cascade.write_sweep_file(f, strategy="noise", venue="binance-usdm",
                                 grid={"every": [10, 20, 30]}, scenarios={"a": [str(sample_log)]})
    assert n == 3
    text = cascade.sweep(f, tmp_path / "o", shard=(0, 2), threads=1)
    assert [j["index"] for j in json.loads(text)["jobs"]] == [0, 2]
    with pytest.raises(cascade.CascadeError, match="missing shards 1/2"):
        cascade.merge([tmp_path / "o" / "results-shard-0-of-2.json"])
