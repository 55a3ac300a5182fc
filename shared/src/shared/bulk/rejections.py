"""Rejected rows of an import: each with its line and reason, reported together as one 422."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from shared.problems import Problem, problem_type


class FieldError(BaseModel):
    field: str
    message: str


class RejectedRow(BaseModel):
    line: int = Field(description="Line of the file the row starts on (the CSV header is 1).")
    reason: str
    errors: list[FieldError] = Field(default_factory=list)


class ImportRejected(Problem):
    type = problem_type("import-rejected")
    title = "Import rejected; nothing was changed"
    status = 422


@dataclass
class Rejections:
    rows: dict[int, RejectedRow] = field(default_factory=dict)

    def add(self, line: int, reason: str, errors: Iterable[FieldError] = ()) -> None:
        # One entry per row: the first reason found is the one reported.
        if line not in self.rows:
            self.rows[line] = RejectedRow(line=line, reason=reason, errors=list(errors))

    def __contains__(self, line: int) -> bool:
        return line in self.rows

    def raise_if_any(self, received: int) -> None:
        if not self.rows:
            return
        rows = [self.rows[line] for line in sorted(self.rows)]
        first = rows[0]
        more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
        raise ImportRejected(
            f"line {first.line}: {first.reason}{more}",
            received=received,
            rejected=[row.model_dump() for row in rows],
        )
