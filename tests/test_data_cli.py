"""The README's first command runs the data demo: it must work offline on the bundled default."""

import subprocess
import sys


def test_stats_on_bundled_default_prints_counts() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "agentic_env.data", "stats"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "movielens-latest-small" in out
    assert "100004" in out and "671" in out and "9066" in out
    assert "98,662 / 671 / 671" in out  # leave-last-1-out: one valid and one test item per user


def test_unknown_dataset_names_the_known_ones() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "agentic_env.data", "stats", "no-such-data"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "unknown dataset 'no-such-data'" in proc.stderr
    assert "movielens-100k" in proc.stderr
