"""Merges the subgraphs' types into one schema, by Apollo's rules: output types and union members
are unioned, inputs and arguments intersected, non-shareable fields resolved in one subgraph only,
and every disagreement reported with the subgraphs it comes from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql.language import ValueNode

from gateway.composition.errors import CompositionIssue, mismatch, quoted_list
from gateway.composition.interfaces import (
    add_interface_object_fields,
    check_interface_fields,
    check_interface_keys,
)
from gateway.composition.model import (
    KIND_NAMES,
    Argument,
    ComposedDirective,
    Field,
    Subgraph,
    named_type,
)
from gateway.composition.overrides import apply_overrides
from gateway.composition.printing import print_value
from gateway.composition.sharing import provided_fields, shareable_fields
from gateway.composition.sources import (
    FieldSource,
    Source,
    is_required,
    join_types,
    merge_applied,
    pick_description,
    specs_in_use,
)
from gateway.composition.subgraph_checks import used_fields
from gateway.composition.supergraph_model import (
    Graph,
    JoinField,
    MergedArgument,
    MergedDirective,
    MergedEnumValue,
    MergedField,
    MergedSchema,
    MergedType,
    graph_enum_names,
)


@dataclass(slots=True)
class _EnumUsage:
    input_example: str | None = None
    output_example: str | None = None


@dataclass
class Merger:
    subgraphs: list[Subgraph]
    issues: list[CompositionIssue] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.subgraphs = sorted(self.subgraphs, key=lambda s: s.name)
        self.graph_names = graph_enum_names([s.name for s in self.subgraphs])
        self.used = {s.name: used_fields(s) for s in self.subgraphs}
        self.shareable = {s.name: shareable_fields(s) for s in self.subgraphs}
        self.provided = {s.name: provided_fields(s) for s in self.subgraphs}
        self.enum_usage: dict[str, _EnumUsage] = {}
        self.implementers: dict[str, set[str]] = {}
        self.union_members: dict[str, set[str]] = {}
        for subgraph in self.subgraphs:
            for typedef in subgraph.types.values():
                for interface in typedef.interfaces:
                    self.implementers.setdefault(interface, set()).add(typedef.name)
                if typedef.kind == "union":
                    self.union_members.setdefault(typedef.name, set()).update(typedef.members)

    def report(self, code: str, message: str, subgraphs: Sequence[str]) -> None:
        self.issues.append(CompositionIssue(code, message, tuple(subgraphs)))

    def merge(self) -> MergedSchema:
        sources: dict[str, list[Source]] = {}
        for subgraph in self.subgraphs:
            for typedef in subgraph.types.values():
                sources.setdefault(typedef.name, []).append(
                    Source(subgraph, self.graph_names[subgraph.name], typedef)
                )
        types: dict[str, MergedType] = {}
        enums: list[tuple[MergedType, list[Source]]] = []
        for name, type_sources in sources.items():
            kinds = {s.typedef.kind for s in type_sources}
            if kinds == {"interface", "object"} and all(
                s.typedef.interface_object for s in type_sources if s.typedef.kind == "object"
            ):
                # An @interfaceObject is the interface, seen from a subgraph without its types.
                kinds = {"interface"}
            if all(s.typedef.interface_object for s in type_sources):
                names = [s.subgraph.name for s in type_sources]
                self.report(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'Type "{name}" is declared with @interfaceObject in all the subgraphs in '
                    f"which it is defined (it is defined in {quoted_list(names)} but should be "
                    "defined as an interface in at least one subgraph)",
                    names,
                )
                continue
            if len(kinds) > 1:
                described = [(s.subgraph.name, KIND_NAMES[s.typedef.kind]) for s in type_sources]
                self.report(
                    "TYPE_KIND_MISMATCH",
                    mismatch(f'Type "{name}" has mismatched kind: it is defined as ', described),
                    [s.subgraph.name for s in type_sources],
                )
                continue
            merged = MergedType(name=name, kind=kinds.pop())
            merge_applied(merged, [s.typedef for s in type_sources])
            merged.join_types = join_types(type_sources)
            types[name] = merged
            if merged.kind in ("object", "interface"):
                self._merge_composite(merged, type_sources)
            elif merged.kind == "input":
                self._merge_input(merged, type_sources)
            elif merged.kind == "union":
                self._merge_union(merged, type_sources)
            elif merged.kind == "enum":
                enums.append((merged, type_sources))
            elif merged.kind == "scalar":
                merged.specified_by = next(
                    (s.typedef.specified_by for s in type_sources if s.typedef.specified_by), None
                )
        for merged, type_sources in enums:
            self._merge_enum(merged, type_sources)
        add_interface_object_fields(types, sources)
        check_interface_keys(types, sources, self.report)
        if not self.issues:  # Apollo checks this on the merged schema, once merging succeeded
            check_interface_fields(types, sources, self.report)
        return MergedSchema(
            graphs=[Graph(self.graph_names[s.name], s.name, s.url) for s in self.subgraphs],
            types=types,
            federation_version=max(s.federation_version for s in self.subgraphs),
            specs=specs_in_use(self.subgraphs),
            directives=self._merge_directives(),
            description=pick_description([s.description for s in self.subgraphs]),
            composed=_composed_directives(self.subgraphs),
        )

    # Objects and interfaces

    def _merge_composite(self, merged: MergedType, sources: list[Source]) -> None:
        for source in sources:
            for interface in source.typedef.interfaces:
                if interface not in merged.interfaces:
                    merged.interfaces.append(interface)
                merged.implements.append((source.graph, interface))
        names: list[str] = []
        for source in sources:
            names.extend(n for n in source.typedef.fields if n not in names)
        for name in names:
            field_sources = [
                FieldSource(s.subgraph, s.graph, s.typedef.fields[name])
                for s in sources
                if name in s.typedef.fields
            ]
            coordinate = f"{merged.name}.{name}"
            apply_overrides(coordinate, field_sources, self.used, self.report)
            if merged.kind == "object":
                self._check_sharing(coordinate, merged.name, field_sources)
            result = self._merge_field(merged, coordinate, field_sources, len(sources))
            if result is not None:
                merged.fields[name] = result

    def _is_fully_external(self, source: FieldSource, parent: str) -> bool:
        provided = (parent, source.field.name) in self.provided[source.subgraph.name]
        return source.field.external and not provided

    def _check_sharing(self, coordinate: str, parent: str, sources: list[FieldSource]) -> None:
        resolving: list[str] = []
        shareable: list[str] = []
        non_shareable: list[str] = []
        for source in sources:
            if source.used_overridden or source.unused_overridden:
                continue
            if self._is_fully_external(source, parent):
                continue
            name = source.subgraph.name
            resolving.append(name)
            if source.field.shareable or (parent, source.field.name) in self.shareable[name]:
                shareable.append(name)
            else:
                non_shareable.append(name)
        if non_shareable and (shareable or len(non_shareable) > 1):
            which = quoted_list(non_shareable) if shareable else "all of them"
            self.report(
                "INVALID_FIELD_SHARING",
                f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
                f"resolved from {quoted_list(resolving)} and defined as non-shareable in {which}",
                resolving,
            )

    def _merge_field(
        self, merged: MergedType, coordinate: str, sources: list[FieldSource], defining: int
    ) -> MergedField | None:
        name = sources[0].field.name
        if all(s.field.external for s in sources):
            names = [s.subgraph.name for s in sources]
            self.report(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({quoted_list(names)}).",
                names,
            )
            return None
        resolving = [s for s in sources if not s.field.external]
        result = MergedField(name=name)
        merge_applied(result, [s.field for s in resolving])
        result.args = self._merge_arguments(
            coordinate, [(s.subgraph.name, s.field.args) for s in resolving]
        )
        type_sources = [(s.subgraph.name, s.field.type) for s in resolving]
        merged_type, all_equal = self._merge_type_reference(
            f'field "{coordinate}"', type_sources, input_position=False
        )
        result.type = merged_type
        self._note_enum_usage(merged_type, coordinate, input_position=False)
        externals = [s for s in sources if s.field.external]
        if any(
            s.field.type != merged_type
            and (all_equal or not self._is_subtype(merged_type, s.field.type))
            for s in externals
        ):
            self.report(
                "EXTERNAL_TYPE_MISMATCH",
                mismatch(
                    f'Type of field "{coordinate}" is incompatible across subgraphs (where '
                    "marked @external): it has ",
                    [(s.subgraph.name, f'type "{s.field.type}"') for s in sources],
                    first=f'type "{merged_type}"',
                ),
                [s.subgraph.name for s in sources],
            )
        if self._needs_join_field(sources, all_equal, defining):
            for source in sources:
                if source.unused_overridden and source.label is None:
                    continue
                result.joins.append(
                    JoinField(
                        graph=source.graph,
                        requires=source.field.requires,
                        provides=source.field.provides,
                        type=None if all_equal else source.field.type,
                        external=source.field.external,
                        override=source.field.override_from,
                        used_overridden=source.used_overridden,
                        override_label=source.label,
                        context_arguments=[
                            (a.from_context[0], a.name, a.type, a.from_context[1])
                            for a in source.field.args.values()
                            if a.from_context is not None
                        ],
                    )
                )
        return result

    @staticmethod
    def _needs_join_field(sources: list[FieldSource], all_equal: bool, defining: int) -> bool:
        if not all_equal or len(sources) < defining:
            return True
        for source in sources:
            if source.used_overridden or source.label is not None or source.unused_overridden:
                return True
            if source.field.external or source.field.requires or source.field.provides:
                return True
            if any(a.from_context is not None for a in source.field.args.values()):
                return True
        return False

    def _merge_arguments(
        self, coordinate: str, owners: Sequence[tuple[str, dict[str, Argument]]]
    ) -> dict[str, MergedArgument]:
        """Arguments of one field (or directive) as (subgraph, arguments) pairs: intersected."""
        names: list[str] = []
        for _, args in owners:
            # @fromContext arguments are filled in by the router, not asked of clients.
            names.extend(n for n, a in args.items() if n not in names and a.from_context is None)
        merged: dict[str, MergedArgument] = {}
        for name in names:
            present = [(sub, args[name]) for sub, args in owners if name in args]
            argument_coordinate = f"{coordinate}({name}:)"
            if len(present) < len(owners):
                required = [sub for sub, a in present if is_required(a.type, a.default)]
                if required:
                    missing = [sub for sub, args in owners if name not in args]
                    self.report(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "{argument_coordinate}" is required in some subgraphs but does '
                        f"not appear in all subgraphs: it is required in {quoted_list(required)} "
                        f"but does not appear in {quoted_list(missing)}",
                        required + missing,
                    )
                continue
            argument = MergedArgument(name=name)
            merge_applied(argument, [a for _, a in present])
            argument.type, _ = self._merge_type_reference(
                f'argument "{argument_coordinate}"',
                [(sub, a.type) for sub, a in present],
                input_position=True,
            )
            self._note_enum_usage(argument.type, argument_coordinate, input_position=True)
            argument.default = self._merge_default(
                f'Argument "{argument_coordinate}"', "FIELD_ARGUMENT_DEFAULT_MISMATCH", present
            )
            merged[name] = argument
        return merged

    def _merge_directives(self) -> dict[str, MergedDirective]:
        """Operation directives every subgraph defines, on the locations they all allow."""
        names: list[str] = []
        for subgraph in self.subgraphs:
            names.extend(n for n in subgraph.directives if n not in names)
        merged: dict[str, MergedDirective] = {}
        for name in names:
            if any(name not in s.directives for s in self.subgraphs):
                continue
            definitions = [s.directives[name] for s in self.subgraphs]
            locations = [
                loc
                for loc in definitions[0].locations
                if all(loc in d.locations for d in definitions)
            ]
            if not locations:
                continue
            directive = MergedDirective(
                name=name,
                repeatable=all(d.repeatable for d in definitions),
                locations=locations,
                description=pick_description([d.description for d in definitions]),
            )
            directive.args = self._merge_arguments(
                f"@{name}", [(s.name, s.directives[name].args) for s in self.subgraphs]
            )
            merged[name] = directive
        return merged

    def _merge_default(
        self, what: str, code: str, present: Sequence[tuple[str, Argument | Field]]
    ) -> ValueNode | None:
        printed = [
            (sub, None if a.default is None else print_value(a.default)) for sub, a in present
        ]
        defined = {p for _, p in printed if p is not None}
        if len(defined) > 1:
            described = [
                (sub, "no default value" if p is None else f"default value {p}")
                for sub, p in printed
            ]
            self.report(
                code,
                mismatch(
                    f"{what} has incompatible default values across subgraphs: it has ", described
                ),
                [sub for sub, _ in printed],
            )
        if any(p is None for _, p in printed) and defined and len(defined) == 1:
            return None
        return next((a.default for _, a in present if a.default is not None), None)

    def _merge_type_reference(
        self, what: str, sources: Sequence[tuple[str, str]], *, input_position: bool
    ) -> tuple[str, bool]:
        merged = sources[0][1]
        has_subtypes = incompatible = False
        for _, type_ref in sources[1:]:
            if type_ref == merged:
                continue
            if self._is_subtype(merged, type_ref):
                has_subtypes = True
                if input_position:
                    merged = type_ref
            elif self._is_subtype(type_ref, merged):
                has_subtypes = True
                if not input_position:
                    merged = type_ref
            else:
                incompatible = True
        if incompatible:
            code = (
                "FIELD_TYPE_MISMATCH"
                if what.startswith("field")
                else "FIELD_ARGUMENT_TYPE_MISMATCH"
            )
            described = [(sub, f'type "{t}"') for sub, t in sources]
            self.report(
                code,
                mismatch(
                    f"Type of {what} is incompatible across subgraphs: it has ",
                    described,
                    first=f'type "{merged}"',
                ),
                [sub for sub, _ in sources],
            )
        return merged, not (incompatible or has_subtypes)

    def _is_subtype(self, supertype: str, subtype: str) -> bool:
        if supertype == subtype:
            return True
        if subtype.endswith("!"):
            inner = subtype[:-1]
            if supertype.endswith("!"):
                return self._is_subtype(supertype[:-1], inner)
            return self._is_subtype(supertype, inner)
        if supertype.endswith("!"):
            return False
        if supertype.startswith("[") and subtype.startswith("["):
            return self._is_subtype(supertype[1:-1], subtype[1:-1])
        if supertype.startswith("[") or subtype.startswith("["):
            return False
        return subtype in self.implementers.get(supertype, set()) or subtype in (
            self.union_members.get(supertype, set())
        )

    def _note_enum_usage(self, type_ref: str, coordinate: str, *, input_position: bool) -> None:
        usage = self.enum_usage.setdefault(named_type(type_ref), _EnumUsage())
        if input_position:
            usage.input_example = usage.input_example or coordinate
        else:
            usage.output_example = usage.output_example or coordinate

    # Inputs, unions, enums

    def _merge_input(self, merged: MergedType, sources: list[Source]) -> None:
        names: list[str] = []
        for source in sources:
            names.extend(n for n in source.typedef.fields if n not in names)
        for name in names:
            present = [
                (s.subgraph.name, s.typedef.fields[name], s.graph)
                for s in sources
                if name in s.typedef.fields
            ]
            coordinate = f"{merged.name}.{name}"
            result = MergedField(name=name)
            merge_applied(result, [f for _, f, _ in present])
            result.type, all_equal = self._merge_type_reference(
                f'field "{coordinate}"',
                [(sub, f.type) for sub, f, _ in present],
                input_position=True,
            )
            self._note_enum_usage(result.type, coordinate, input_position=True)
            result.default = self._merge_default(
                f'Input field "{coordinate}"',
                "INPUT_FIELD_DEFAULT_MISMATCH",
                [(sub, f) for sub, f, _ in present],
            )
            if len(present) < len(sources) and not result.inaccessible:
                required = [sub for sub, f, _ in present if is_required(f.type, f.default)]
                if required:
                    missing = [s.subgraph.name for s in sources if name not in s.typedef.fields]
                    self.report(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{coordinate}" is required in some subgraphs but '
                        f"does not appear in all subgraphs: it is required in "
                        f"{quoted_list(required)} but does not appear in {quoted_list(missing)}",
                        required + missing,
                    )
                continue
            if not all_equal or len(present) < len(sources):
                result.joins = [
                    JoinField(graph=graph, type=None if all_equal else f.type)
                    for _, f, graph in present
                ]
            merged.fields[name] = result
        if not merged.fields:
            self.report(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{merged.name}" are consistently '
                "defined in all the subgraphs defining that type. As only fields common to all "
                "subgraphs are merged, this would result in an empty type. It is defined in "
                f"{quoted_list([s.subgraph.name for s in sources])}.",
                [s.subgraph.name for s in sources],
            )

    def _merge_union(self, merged: MergedType, sources: list[Source]) -> None:
        for source in sources:
            merged.members.extend(m for m in source.typedef.members if m not in merged.members)
        for member in merged.members:
            merged.union_members.extend(
                (s.graph, member) for s in sources if member in s.typedef.members
            )

    def _merge_enum(self, merged: MergedType, sources: list[Source]) -> None:
        usage = self.enum_usage.get(merged.name, _EnumUsage())
        names: list[str] = []
        for source in sources:
            names.extend(n for n in source.typedef.values if n not in names)
        for name in names:
            present = [s for s in sources if name in s.typedef.values]
            value = MergedEnumValue(name=name, graphs=[s.graph for s in present])
            merge_applied(value, [s.typedef.values[name] for s in present])
            if len(present) < len(sources) and not value.inaccessible and usage.input_example:
                if usage.output_example:
                    defined = [s.subgraph.name for s in present]
                    missing = [s.subgraph.name for s in sources if s not in present]
                    self.report(
                        "ENUM_VALUE_MISMATCH",
                        f'Enum type "{merged.name}" is used as both input type (for example, as '
                        f'type of "{usage.input_example}") and output type (for example, as type '
                        f'of "{usage.output_example}"), but value "{name}" is not defined in all '
                        f'the subgraphs defining "{merged.name}": "{name}" is defined in '
                        f"{quoted_list(defined)} but not in {quoted_list(missing)}",
                        defined + missing,
                    )
                else:
                    continue
            merged.values[name] = value
        if not merged.values:
            self.report(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{merged.name}" are defined consistently in all '
                "the subgraphs defining that type. As only values common to all subgraphs are "
                "merged, this would result in an empty type. It is defined in "
                f"{quoted_list([s.subgraph.name for s in sources])}.",
                [s.subgraph.name for s in sources],
            )


def _composed_directives(subgraphs: Sequence[Subgraph]) -> dict[str, ComposedDirective]:
    composed: dict[str, ComposedDirective] = {}
    for subgraph in subgraphs:
        for name, directive in subgraph.composed.items():
            composed.setdefault(name, directive)
    return composed
