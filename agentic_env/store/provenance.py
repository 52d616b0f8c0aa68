"""What a run records about the code that produced it: git revision and package versions."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

DEFAULT_PACKAGES = (
    "agentic-rs-gym",
    "numpy",
    "scipy",
    "pandas",
    "torch",
    "gymnasium",
    "pettingzoo",
    "stable-baselines3",
    "sb3-contrib",
    "SQLAlchemy",
)


def git_revision(path: str | Path | None = None) -> str | None:
    """The commit hash checked out at ``path`` (default: this package's tree), or None."""
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    revision = done.stdout.strip()
    return revision if done.returncode == 0 and revision else None


def package_versions(names: tuple[str, ...] = DEFAULT_PACKAGES) -> dict[str, str]:
    """Installed versions of ``names``; packages that are not installed are left out."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
