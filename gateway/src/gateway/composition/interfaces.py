"""Rules that span an interface and the types implementing it, across subgraphs: fields an
@interfaceObject adds, keys on interfaces, interface fields every implementation must have."""

from __future__ import annotations

from gateway.composition.errors import Report, quoted_list
from gateway.composition.sources import Source
from gateway.composition.supergraph_model import JoinField, MergedField, MergedType


def add_interface_object_fields(
    types: dict[str, MergedType], sources: dict[str, list[Source]]
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


def check_interface_fields(
    types: dict[str, MergedType], sources: dict[str, list[Source]], report: Report
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
                report(
                    "INTERFACE_FIELD_NO_IMPLEM",
                    f'Interface field "{name}.{field_name}" is declared in '
                    f'{quoted_list(declaring)} but type "{implementation.name}", which '
                    f'implements "{name}" only in {quoted_list(implementing)} does not have '
                    f'field "{field_name}".',
                    declaring + implementing,
                )


def check_interface_keys(
    types: dict[str, MergedType], sources: dict[str, list[Source]], report: Report
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
            report(
                "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                f'[{subgraph}] Interface type "{name}" has a resolvable key (@key(fields: '
                f'"{key.fields}")) in subgraph "{subgraph}" but that subgraph is missing some '
                f'of the supergraph implementation types of "{name}". Subgraph "{subgraph}" '
                f"should define {noun} (and have {'them' if len(missing) > 1 else 'it'} "
                f'implement "{name}").',
                [subgraph],
            )
