"""cascade.score returns the CLI's cards (score.json byte for byte), as a data frame, and
takes Python strategies in a suite file's entries."""

import json

import cascade
import strategies_py  # noqa: F401
from conftest import run_cli

SCENARIO = "2025-10-10"


def test_score_json_is_the_cli_score_json(backtest, tmp_path, root, monkeypatch):
    # Both from the checkout's root, so both name the bundled files alike (relative paths).
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    run_cli(
        backtest, "score", "--scenarios", SCENARIO, "--strategies",
        "buy-and-hold,regime-filter", "--threads", "2", "--out", out,
    )
    py = cascade.score(
        scenarios=[SCENARIO], strategies=["buy-and-hold", "regime-filter"], threads=1,
        out=tmp_path / "py",
    )
    cli_json = (out / "score.json").read_text()
    assert py.json == cli_json
    assert (tmp_path / "py" / "score.json").read_text() == cli_json
    assert py.failures == []
    cards = py.cards
    assert len(cards) == len(json.loads(cli_json)["cards"]) >= 3
    assert set(cards["entry"]) == {"buy-and-hold-spot", "buy-and-hold-perp-10x", "regime-filter"}
    # Every run hash of the CLI's cards, in the CLI's order; exact decimals kept beside floats.
    cli_cards = json.loads(cli_json)["cards"]
    assert list(cards["run_hash"]) == [c["run_hash"] for c in cli_cards]
    assert list(cards["pnl_str"]) == [c["scorecard"]["pnl"] for c in cli_cards]
    assert cards["pnl"].dtype == float and cards.loc[1, "pnl"] == float(cli_cards[1]["scorecard"]["pnl"])


def test_python_strategy_in_a_suite_entry_scores_like_its_rust_twin(tmp_path, root):
    suite = (root / "fixtures" / "suite.toml").read_text()
    suite += """
[[entry]]
label = "noise-rust"
strategy = "noise"
about = "the built-in noise"
params = { every = 20, qty = "0.01" }

[[entry]]
label = "noise-python"
strategy = "py-noise"
about = "the same logic in Python"
params = { every = 20, qty = "0.01" }
"""
    f = tmp_path / "suite.toml"
    f.write_text(suite)
    s = cascade.score(f, scenarios=[SCENARIO], strategies=["noise-rust", "noise-python"], threads=2)
    assert s.failures == []
    cards = s.cards.set_index("entry")
    assert {"noise-rust", "noise-python"} <= set(cards.index)
    rust, py = cards.loc["noise-rust"], cards.loc["noise-python"]
    assert rust["run_hash"] == py["run_hash"]
    assert rust["strategy"] == "noise" and py["strategy"] == "py-noise"
