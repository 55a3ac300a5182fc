"""Short progress lines on stderr, so stdout stays clean for what a command produces."""

from __future__ import annotations

import sys


def report(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)
