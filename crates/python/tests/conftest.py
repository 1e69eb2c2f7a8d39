"""Shared fixtures: the checkout, the bundled sample imported once, the `backtest` binary."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import cascade

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_log(tmp_path_factory) -> Path:
    """fixtures/sample imported into an event log (as `backtest import fixtures/sample`)."""
    out = tmp_path_factory.mktemp("logs") / "sample.clog"
    cascade.import_files(ROOT / "fixtures" / "sample", out)
    return out


@pytest.fixture(scope="session")
def backtest() -> str:
    """The `backtest` binary the results are compared with: $CASCADE_BACKTEST, else a built
    one under $CARGO_TARGET_DIR or target/ (debug or release). Never skipped: the
    comparisons with the CLI are the point of several tests."""
    env = os.environ.get("CASCADE_BACKTEST")
    if env:
        return env
    dirs = [os.environ.get("CARGO_TARGET_DIR"), str(ROOT / "target")]
    for d in filter(None, dirs):
        for profile in ("release", "debug"):
            p = Path(d) / profile / "backtest"
            if p.is_file():
                return str(p)
    found = shutil.which("backtest")
    if found:
        return found
    pytest.fail("no `backtest` binary: build it (cargo build --bin backtest) or set CASCADE_BACKTEST")


def run_cli(backtest: str, *args, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([backtest, *map(str, args)], capture_output=True, text=True, cwd=ROOT, **kw)
    assert r.returncode == 0, f"backtest {' '.join(map(str, args))}: {r.stderr}"
    return r
