"""What a failed composition reports: Apollo's error codes, the subgraphs involved, a message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompositionIssue:
    # One of Apollo's composition error codes (e.g. INVALID_FIELD_SHARING), so that tooling
    # written against Apollo's codes understands ours.
    code: str
    message: str
    subgraphs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class CompositionError(Exception):
    """The subgraphs do not compose; `issues` says why, every problem found, not only the first."""

    def __init__(self, issues: Sequence[CompositionIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def quoted_list(names: Sequence[str], *, noun: str = "subgraph") -> str:
    """`subgraph "a"`, `subgraphs "a" and "b"`, `subgraphs "a", "b" and "c"` as Apollo words it."""
    quoted = [f'"{name}"' for name in names]
    if len(quoted) == 1:
        return f"{noun} {quoted[0]}"
    return f"{noun}s {', '.join(quoted[:-1])} and {quoted[-1]}"


def mismatch(prefix: str, described: Sequence[tuple[str, str]], first: str | None = None) -> str:
    """`<prefix><what> in subgraph "a" but <other> in subgraph "b"`, grouped by what."""
    groups: dict[str, list[str]] = {}
    for subgraph, what in described:
        groups.setdefault(what, []).append(subgraph)
    order = list(groups)
    if first in groups:
        order.remove(first)
        order.insert(0, first)
    parts = [f"{what} in {quoted_list(groups[what])}" for what in order]
    return prefix + parts[0] + " but " + " and ".join(parts[1:])


# code, message, subgraphs involved
Report = Callable[[str, str, Sequence[str]], None]
