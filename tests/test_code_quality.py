"""The code stays as the README promises: ruff-clean and mypy-clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _run(pdnet_root: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=pdnet_root,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ruff_finds_nothing(pdnet_root: Path) -> None:
    result = _run(pdnet_root, "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_finds_nothing(pdnet_root: Path) -> None:
    packages = [str(p) for p in sorted(pdnet_root.glob("services/*/src"))]
    result = _run(pdnet_root, "mypy", "shared/src", "cli/src", "gateway/src", *packages)
    assert result.returncode == 0, result.stdout + result.stderr
