"""Operations the two gateways are asked: the hand-written corpus in `operations/` and what the
random generator makes. Each carries its variables, headers and the role to send a token for."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

CORPUS_DIR = Path(__file__).with_name("operations")


@dataclass(frozen=True)
class CursorFrom:
    """A variable whose value is read from the reference gateway's answer to the same
    operation without it: the second page follows the first page's end cursor."""

    variable: str
    path: tuple[str | int, ...]


@dataclass(frozen=True)
class Operation:
    name: str
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    role: str | None = None
    """Send a bearer token with this role; None sends no token."""
    sub: str | None = None
    centres: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    cursor_from: CursorFrom | None = None
    generated: tuple[tuple[str | int, ...], ...] = ()
    """Paths in `data` of values made anew by each run (the id of a created record)."""

    @property
    def is_mutation(self) -> bool:
        """Writes are sent one at a time, to one gateway and then the other."""
        try:
            document = parse(self.query)
        except GraphQLError:
            return False
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            name = definition.name.value if definition.name else None
            if self.operation_name in (None, name):
                return definition.operation == OperationType.MUTATION
        return False

    def describe(self) -> str:
        lines = [f"operation {self.name}"]
        if self.role:
            scope = ", ".join([*self.centres, *self.networks])
            lines.append(f"  as {self.role}" + (f" ({scope})" if scope else ""))
        if self.headers:
            lines.append(f"  headers {self.headers}")
        if self.operation_name:
            lines.append(f"  operationName {self.operation_name}")
        if self.variables:
            lines.append(f"  variables {json.dumps(self.variables)}")
        lines.append(self.query.rstrip())
        return "\n".join(lines)


def load_corpus(directory: Path = CORPUS_DIR) -> list[Operation]:
    """`name.graphql`, with an optional `name.json` of variables, role, headers and so on."""
    operations = []
    for path in sorted(directory.glob("*.graphql")):
        sidecar = path.with_suffix(".json")
        extra: dict[str, Any] = json.loads(sidecar.read_text()) if sidecar.exists() else {}
        unknown = set(extra) - {
            "variables", "operationName", "role", "sub", "centres", "networks", "headers",
            "cursor_from", "generated",
        }  # fmt: skip
        if unknown:
            raise ValueError(f"{sidecar.name}: unknown keys {sorted(unknown)}")
        cursor = extra.get("cursor_from")
        operations.append(
            Operation(
                name=path.stem,
                query=path.read_text(),
                variables=extra.get("variables"),
                operation_name=extra.get("operationName"),
                role=extra.get("role"),
                sub=extra.get("sub"),
                centres=tuple(extra.get("centres", ())),
                networks=tuple(extra.get("networks", ())),
                headers=dict(extra.get("headers", {})),
                generated=tuple(tuple(p) for p in extra.get("generated", ())),
                cursor_from=(
                    CursorFrom(cursor["variable"], tuple(cursor["path"])) if cursor else None
                ),
            )
        )
    return operations
