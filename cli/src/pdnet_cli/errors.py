"""The one failure the pdnet command reports as a sentence instead of a traceback."""

from __future__ import annotations


class CommandError(Exception):
    """Something the user can act on; `main` prints the message and exits 1."""
