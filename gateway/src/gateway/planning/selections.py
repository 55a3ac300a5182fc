"""The selection a fetch sends to a subgraph, built up while planning and printed once."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import ArgumentNode, Node, VariableNode, print_ast, visit
from graphql.language import Visitor


class _VariableCollector(Visitor):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.names.add(node.name.value)


def variables_in(nodes: Iterable[Node], into: set[str]) -> None:
    collector = _VariableCollector(into)
    for node in nodes:
        visit(node, collector)


class FieldSelection:
    __slots__ = (
        "alias",
        "arguments",
        "arguments_text",
        "internal",
        "name",
        "selection",
        "source",
    )

    def __init__(
        self, name: str, alias: str | None, arguments: tuple[ArgumentNode, ...], composite: bool
    ) -> None:
        self.name = name
        self.alias = alias
        self.arguments = arguments
        self.internal = False
        """Only the gateway asked for it (a key or `@requires` field), not the client."""
        self.source: FieldSelection | None = None
        """In a representation template: the field of the fetch whose value it copies."""
        self.arguments_text = (
            "(" + ", ".join(print_ast(argument) for argument in arguments) + ")"
            if arguments
            else ""
        )
        self.selection: SelectionTree | None = SelectionTree() if composite else None

    @property
    def response_key(self) -> str:
        return self.alias or self.name


class SelectionTree:
    """Fields by response key, then inline fragments by type condition, in insertion order."""

    __slots__ = ("fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, FieldSelection] = {}
        self.fragments: dict[str, SelectionTree] = {}

    def add_field(
        self,
        response_key: str,
        name: str,
        arguments: tuple[ArgumentNode, ...],
        *,
        composite: bool,
        internal: bool = False,
    ) -> FieldSelection:
        existing = self.fields.get(response_key)
        if existing is not None:
            same = existing.name == name and existing.arguments == arguments
            if same:
                existing.internal = existing.internal and internal
                return existing
            if internal:
                # The client uses this response key for another field: ask under an alias.
                return self.add_field(
                    self._free_alias(name), name, arguments, composite=composite, internal=True
                )
            if existing.internal:
                # The gateway took the key first; it moves aside for the client's field.
                del self.fields[response_key]
                moved = self._free_alias(existing.name)
                existing.alias = moved
                self.fields[moved] = existing
        alias = response_key if response_key != name else None
        selection = FieldSelection(name, alias, arguments, composite)
        selection.internal = internal
        self.fields[response_key] = selection
        return selection

    def _free_alias(self, name: str) -> str:
        number = 0
        while f"_{name}{number}" in self.fields:
            number += 1
        return f"_{name}{number}"

    def add_typename(self) -> None:
        self.add_field("__typename", "__typename", (), composite=False)

    def fragment(self, type_condition: str) -> SelectionTree:
        tree = self.fragments.get(type_condition)
        if tree is None:
            tree = self.fragments[type_condition] = SelectionTree()
        return tree

    def is_empty(self) -> bool:
        return not self.fields and not any(not f.is_empty() for f in self.fragments.values())

    def print(self, variables: set[str]) -> str:
        parts: list[str] = []
        for selection in self.fields.values():
            text = f"{selection.alias}: {selection.name}" if selection.alias else selection.name
            if selection.arguments:
                variables_in(selection.arguments, variables)
                text += selection.arguments_text
            if selection.selection is not None:
                inner = selection.selection
                if inner.is_empty():
                    inner.add_typename()
                text += " " + inner.print(variables)
            parts.append(text)
        for type_condition, tree in self.fragments.items():
            if not tree.is_empty():
                parts.append(f"... on {type_condition} {tree.print(variables)}")
        return "{" + " ".join(parts) + "}"
