"""Merges the subgraphs' types into one schema, by Apollo's rules: output types and union members
are unioned, inputs and arguments intersected, non-shareable fields resolved in one subgraph only,
and every disagreement reported with the subgraphs it comes from."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from graphql.language import ValueNode

from gateway.composition.errors import CompositionIssue, quoted_list
from gateway.composition.fieldsets import FieldSetError, targets
from gateway.composition.model import (
    KIND_NAMES,
    Applied,
    Argument,
    Field,
    Subgraph,
    TypeDef,
    named_type,
)
from gateway.composition.printing import print_value
from gateway.composition.subgraph_checks import used_fields
from gateway.composition.supergraph_model import (
    Graph,
    JoinField,
    JoinType,
    MergedArgument,
    MergedDirective,
    MergedEnumValue,
    MergedField,
    MergedSchema,
    MergedType,
)

T = TypeVar("T")
_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def graph_enum_names(names: Sequence[str]) -> dict[str, str]:
    """Subgraph name → join__Graph value, sanitised and numbered where two collide."""
    sanitised: dict[str, list[str]] = {}
    for name in names:
        value = re.sub(r"\W", "_", name)
        if value[:1].isdigit():
            value = "_" + value
        if re.search(r"_\d+$", value):
            value += "_"
        sanitised.setdefault(value.upper(), []).append(name)
    result: dict[str, str] = {}
    for value, owners in sanitised.items():
        for index, owner in enumerate(owners):
            result[owner] = value if len(owners) == 1 else f"{value}_{index + 1}"
    return result


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


@dataclass(slots=True)
class _Source:
    subgraph: Subgraph
    graph: str
    typedef: TypeDef


@dataclass(slots=True)
class _FieldSource:
    subgraph: Subgraph
    graph: str
    field: Field
    used_overridden: bool = False
    unused_overridden: bool = False
    label: str | None = None


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
        self.shareable = {s.name: _shareable_fields(s) for s in self.subgraphs}
        self.provided = {s.name: _provided_fields(s) for s in self.subgraphs}
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
        sources: dict[str, list[_Source]] = {}
        for subgraph in self.subgraphs:
            for typedef in subgraph.types.values():
                sources.setdefault(typedef.name, []).append(
                    _Source(subgraph, self.graph_names[subgraph.name], typedef)
                )
        types: dict[str, MergedType] = {}
        enums: list[tuple[MergedType, list[_Source]]] = []
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
            _merge_applied(merged, [s.typedef for s in type_sources])
            merged.join_types = _join_types(type_sources)
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
        _add_interface_object_fields(types, sources)
        self._check_interface_keys(types, sources)
        if not self.issues:  # Apollo checks this on the merged schema, once merging succeeded
            self._check_interface_fields(types, sources)
        return MergedSchema(
            graphs=[Graph(self.graph_names[s.name], s.name, s.url) for s in self.subgraphs],
            types=types,
            federation_version=max(s.federation_version for s in self.subgraphs),
            specs=_specs_in_use(self.subgraphs),
            directives=self._merge_directives(),
            description=_pick_description([s.description for s in self.subgraphs]),
        )

    # Objects and interfaces

    def _merge_composite(self, merged: MergedType, sources: list[_Source]) -> None:
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
                _FieldSource(s.subgraph, s.graph, s.typedef.fields[name])
                for s in sources
                if name in s.typedef.fields
            ]
            coordinate = f"{merged.name}.{name}"
            self._apply_overrides(coordinate, field_sources)
            if merged.kind == "object":
                self._check_sharing(coordinate, merged.name, field_sources)
            result = self._merge_field(merged, coordinate, field_sources, len(sources))
            if result is not None:
                merged.fields[name] = result

    def _apply_overrides(self, coordinate: str, sources: list[_FieldSource]) -> None:
        by_name = {s.subgraph.name: s for s in sources}
        overriding = [s for s in sources if s.field.override_from is not None]
        for source in overriding:
            origin = source.field.override_from
            assert origin is not None
            name = source.subgraph.name
            if origin == name:
                self.report(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{origin}" are the same for overridden '
                    f'field "{coordinate}"',
                    [name],
                )
                continue
            overridden = by_name.get(origin)
            if overridden is None:
                continue
            if overridden.field.override_from is not None:
                self.report(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{name}" is also marked with directive '
                    f'@override in subgraph "{origin}". Only one @override directive is allowed '
                    "per field.",
                    [name, origin],
                )
                continue
            conflict = next(
                (
                    (directive, origin)
                    for directive, present in (
                        ("requires", overridden.field.requires is not None),
                        ("provides", overridden.field.provides is not None),
                    )
                    if present
                ),
                ("external", name) if source.field.external else None,
            )
            if conflict is not None:
                directive, where = conflict
                self.report(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    f'@override cannot be used on field "{coordinate}" on subgraph "{name}" '
                    f'since "{coordinate}" on "{where}" is marked with directive "@{directive}"',
                    [name, origin],
                )
                continue
            if overridden.field.external:
                continue
            parent = coordinate.split(".")[0]
            if (parent, overridden.field.name) in self.used[origin]:
                overridden.used_overridden = True
            else:
                overridden.unused_overridden = True
            label = source.field.override_label
            if label is not None:
                percent = _PERCENT.match(label)
                if _LABEL.match(label) or (percent and 0 <= float(percent.group(1)) <= 100):
                    source.label = overridden.label = label
                else:
                    self.report(
                        "OVERRIDE_LABEL_INVALID",
                        f'Invalid @override label "{label}" on field "{coordinate}" on subgraph '
                        f'"{name}": labels must start with a letter and after that may contain '
                        "alphanumerics, underscores, minuses, colons, periods, or slashes. "
                        'Alternatively, labels may be of the form "percent(x)" where x is a '
                        "float between 0-100 inclusive.",
                        [name],
                    )

    def _is_fully_external(self, source: _FieldSource, parent: str) -> bool:
        provided = (parent, source.field.name) in self.provided[source.subgraph.name]
        return source.field.external and not provided

    def _check_sharing(self, coordinate: str, parent: str, sources: list[_FieldSource]) -> None:
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
        self, merged: MergedType, coordinate: str, sources: list[_FieldSource], defining: int
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
        _merge_applied(result, [s.field for s in resolving])
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
                    )
                )
        return result

    @staticmethod
    def _needs_join_field(sources: list[_FieldSource], all_equal: bool, defining: int) -> bool:
        if not all_equal or len(sources) < defining:
            return True
        for source in sources:
            if source.used_overridden or source.label is not None or source.unused_overridden:
                return True
            if source.field.external or source.field.requires or source.field.provides:
                return True
        return False

    def _merge_arguments(
        self, coordinate: str, owners: Sequence[tuple[str, dict[str, Argument]]]
    ) -> dict[str, MergedArgument]:
        """Arguments of one field (or directive) as (subgraph, arguments) pairs: intersected."""
        names: list[str] = []
        for _, args in owners:
            names.extend(n for n in args if n not in names)
        merged: dict[str, MergedArgument] = {}
        for name in names:
            present = [(sub, args[name]) for sub, args in owners if name in args]
            argument_coordinate = f"{coordinate}({name}:)"
            if len(present) < len(owners):
                required = [sub for sub, a in present if _is_required(a.type, a.default)]
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
            _merge_applied(argument, [a for _, a in present])
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
                description=_pick_description([d.description for d in definitions]),
            )
            directive.args = self._merge_arguments(
                f"@{name}", [(s.name, s.directives[name].args) for s in self.subgraphs]
            )
            merged[name] = directive
        return merged

    def _check_interface_fields(
        self, types: dict[str, MergedType], sources: dict[str, list[_Source]]
    ) -> None:
        """Every type implementing an interface has each of its fields, from some subgraph."""
        for name, interface in types.items():
            if interface.kind != "interface":
                continue
            for implementation in types.values():
                if name not in implementation.interfaces:
                    continue
                for field_name in interface.fields:
                    if field_name in implementation.fields:
                        continue
                    declaring = [
                        s.subgraph.name for s in sources[name] if field_name in s.typedef.fields
                    ]
                    implementing = [
                        s.subgraph.name
                        for s in sources[implementation.name]
                        if name in s.typedef.interfaces
                    ]
                    self.report(
                        "INTERFACE_FIELD_NO_IMPLEM",
                        f'Interface field "{name}.{field_name}" is declared in '
                        f'{quoted_list(declaring)} but type "{implementation.name}", which '
                        f'implements "{name}" only in {quoted_list(implementing)} does not have '
                        f'field "{field_name}".',
                        declaring + implementing,
                    )

    def _check_interface_keys(
        self, types: dict[str, MergedType], sources: dict[str, list[_Source]]
    ) -> None:
        """A subgraph resolving an interface by key must know every type implementing it."""
        for name, merged in types.items():
            if merged.kind != "interface":
                continue
            implementations = [
                t.name for t in types.values() if t.kind == "object" and name in t.interfaces
            ]
            for source in sources[name]:
                typedef = source.typedef
                key = next((k for k in typedef.keys if k.resolvable), None)
                if typedef.kind != "interface" or key is None:
                    continue
                known = {t.name for t in source.subgraph.types.values() if name in t.interfaces}
                missing = [i for i in implementations if i not in known]
                if not missing:
                    continue
                subgraph = source.subgraph.name
                noun = quoted_list(missing, noun="type")
                self.report(
                    "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                    f'[{subgraph}] Interface type "{name}" has a resolvable key (@key(fields: '
                    f'"{key.fields}")) in subgraph "{subgraph}" but that subgraph is missing some '
                    f'of the supergraph implementation types of "{name}". Subgraph "{subgraph}" '
                    f"should define {noun} (and have {'them' if len(missing) > 1 else 'it'} "
                    f'implement "{name}").',
                    [subgraph],
                )

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

    def _merge_input(self, merged: MergedType, sources: list[_Source]) -> None:
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
            _merge_applied(result, [f for _, f, _ in present])
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
                required = [sub for sub, f, _ in present if _is_required(f.type, f.default)]
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

    def _merge_union(self, merged: MergedType, sources: list[_Source]) -> None:
        for source in sources:
            merged.members.extend(m for m in source.typedef.members if m not in merged.members)
        for member in merged.members:
            merged.union_members.extend(
                (s.graph, member) for s in sources if member in s.typedef.members
            )

    def _merge_enum(self, merged: MergedType, sources: list[_Source]) -> None:
        usage = self.enum_usage.get(merged.name, _EnumUsage())
        names: list[str] = []
        for source in sources:
            names.extend(n for n in source.typedef.values if n not in names)
        for name in names:
            present = [s for s in sources if name in s.typedef.values]
            value = MergedEnumValue(name=name, graphs=[s.graph for s in present])
            _merge_applied(value, [s.typedef.values[name] for s in present])
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


def _is_required(type_ref: str, default: object) -> bool:
    return type_ref.endswith("!") and default is None


def _merge_applied(target: Applied, sources: Sequence[Applied]) -> None:
    target.description = _pick_description([s.description for s in sources])
    for source in sources:
        if source.deprecated is not None and target.deprecated is None:
            target.deprecated = source.deprecated
            target.deprecated_without_reason = source.deprecated_without_reason
        target.inaccessible = target.inaccessible or source.inaccessible
        target.tags.extend(t for t in source.tags if t not in target.tags)


def _pick_description(descriptions: Sequence[str | None]) -> str | None:
    counts: dict[str, int] = {}
    for description in descriptions:
        if description is not None:
            counts[description] = counts.get(description, 0) + 1
    if not counts:
        return None
    non_empty = [d for d in counts if d]
    if len(counts) == 1:
        return next(iter(counts))
    if len(non_empty) == 1:
        return non_empty[0]
    return max(non_empty, key=lambda d: counts[d])


def _join_types(sources: Sequence[_Source]) -> list[JoinType]:
    joins: list[JoinType] = []
    for source in sources:
        typedef = source.typedef
        extension = typedef.is_extension and typedef.kind in ("object", "interface")
        if not typedef.keys:
            joins.append(
                JoinType(
                    source.graph, extension=extension, interface_object=typedef.interface_object
                )
            )
        for key in typedef.keys:
            joins.append(
                JoinType(
                    source.graph,
                    key=key.fields,
                    extension=extension,
                    resolvable=key.resolvable,
                    resolvable_given=key.resolvable_given,
                    interface_object=typedef.interface_object,
                )
            )
    return joins


def _field_set_targets(
    subgraph: Subgraph, type_name: str, fields: str, sink: Callable[[str, Field], None]
) -> None:
    try:
        for target in targets(subgraph, type_name, fields):
            sink(target.parent.name, target.field)
    except FieldSetError:
        pass


def _shareable_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    """Key fields and provided @external fields are shareable without saying so."""
    found: set[tuple[str, str]] = set()

    def add(parent: str, f: Field) -> None:
        found.add((parent, f.name))

    for typedef in subgraph.types.values():
        for key in typedef.keys:
            _field_set_targets(subgraph, typedef.name, key.fields, add)
        for f in typedef.fields.values():
            child = subgraph.types.get(named_type(f.type))
            if f.provides is not None and child is not None:
                _field_set_targets(
                    subgraph,
                    child.name,
                    f.provides,
                    lambda parent, g: add(parent, g) if g.external else None,
                )
    return found


def _provided_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for typedef in subgraph.types.values():
        for f in typedef.fields.values():
            child = subgraph.types.get(named_type(f.type))
            if f.provides is not None and child is not None:
                _field_set_targets(
                    subgraph, child.name, f.provides, lambda parent, g: found.add((parent, g.name))
                )
    return found


def _add_interface_object_fields(
    types: dict[str, MergedType], sources: dict[str, list[_Source]]
) -> None:
    """A field an @interfaceObject adds to an interface exists on each of its implementations,
    resolved through the interface object (a `@join__field` naming no graph)."""
    for interface_name, interface_sources in sources.items():
        interface = types.get(interface_name)
        if interface is None or interface.kind != "interface":
            continue
        added = [
            name
            for s in interface_sources
            if s.typedef.interface_object
            for name in s.typedef.fields
            if name in interface.fields
        ]
        for implementation in types.values():
            if implementation.kind != "object" or interface_name not in implementation.interfaces:
                continue
            for name in added:
                if name in implementation.fields:
                    continue
                model = interface.fields[name]
                implementation.fields[name] = MergedField(
                    name=name,
                    type=model.type,
                    args=model.args,
                    description=model.description,
                    joins=[JoinField(graph=None)],
                )


def _specs_in_use(subgraphs: Sequence[Subgraph]) -> list[str]:
    """The order is that of first use, subgraph by subgraph, the tag spec before inaccessible."""
    specs: list[str] = []
    for subgraph in subgraphs:
        for spec, used in (
            ("tag", subgraph.uses_tag),
            ("inaccessible", subgraph.uses_inaccessible),
        ):
            if used and spec not in specs:
                specs.append(spec)
    return specs
