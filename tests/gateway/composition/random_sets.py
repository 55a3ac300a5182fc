"""Random subgraph sets for comparing our composition with Apollo's: entities with simple and
composite keys, shareable, external, required, provided and overridden fields, enums and inputs
used as arguments with defaults, interfaces, unions, @tag and @inaccessible. Most sets break in
some way, which is the point: both composers must then agree on why."""

from __future__ import annotations

import random

from gateway.composition import SubgraphDefinition

_IMPORTS = (
    '["@key", "@shareable", "@external", "@requires", "@provides", "@override", '
    '"@inaccessible", "@tag"]'
)
_SCALARS = ["Int", "String", "Float", "Boolean", "ID"]
_COLOURS = ["A", "B", "C", "D"]
_FILTER_FIELDS = ["a: Int", "b: String", "c: Int!", "d: Color"]
_ARGUMENTS = [
    "",
    "(id: ID!)",
    "(id: ID, filter: Filter)",
    "(color: Color = A)",
    "(first: Int = 10, filter: Filter = {a: 1})",
    "(ids: [ID!] = [])",
]


def random_subgraph_set(rng: random.Random) -> list[SubgraphDefinition]:
    names = ["alpha", "beta", "gamma"][: rng.randint(2, 3)]
    entities = [f"E{i}" for i in range(rng.randint(1, 3))]
    field_types = {
        f"f{i}": rng.choice([*_SCALARS, "Color"]) + rng.choice(["", "!"]) for i in range(6)
    }
    return [
        SubgraphDefinition(
            name,
            f"http://{name}.example/graphql",
            _subgraph(rng, name, names, entities, field_types),
        )
        for name in names
    ]


def _subgraph(
    rng: random.Random,
    name: str,
    names: list[str],
    entities: list[str],
    field_types: dict[str, str],
) -> str:
    version = rng.choice([3, 7, 8])
    lines = [
        f'extend schema @link(url: "https://specs.apollo.dev/federation/v2.{version}", '
        f"import: {_IMPORTS})"
    ]
    query: list[str] = []
    defined: list[str] = []
    for entity in entities:
        if rng.random() < 0.25:
            continue
        defined.append(entity)
        lines.append(_entity(rng, name, names, entity, defined, field_types))
        if rng.random() < 0.6:
            shareable = " @shareable" if rng.random() < 0.9 else ""
            query.append(f"get{entity}{rng.choice(_ARGUMENTS)}: {entity}{shareable}")
    if defined and rng.random() < 0.5:
        lines.extend(_interface(rng, lines, defined, field_types))
        query.append(f"nodes{name}: [Node!]" + (" @shareable" if rng.random() < 0.5 else ""))
    if defined and rng.random() < 0.3:
        provided = rng.choice(defined)
        query.append(f'provided{name}: {provided} @provides(fields: "f0")')
        for index, line in enumerate(lines):
            if line.startswith(f"type {provided} ") and "f0:" not in line:
                lines[index] = line[:-1] + f"f0: {field_types['f0']} @external }}"
    if defined and rng.random() < 0.4:
        lines.append(f"union U{name} = {' | '.join(defined)}")
        query.append(f"union{name}: [U{name}]")
    if rng.random() < 0.7 or not query:
        query.append(f"list{name}(color: Color, filter: Filter): [Color!]")
    lines.append("type Query { " + " ".join(query) + " }")
    colours = _COLOURS if rng.random() < 0.9 else rng.sample(_COLOURS, rng.randint(2, 4))
    lines.append(
        "enum Color { "
        + " ".join(c + (" @inaccessible" if rng.random() < 0.05 else "") for c in colours)
        + " }"
    )
    fields = (
        _FILTER_FIELDS[:2] if rng.random() < 0.7 else rng.sample(_FILTER_FIELDS, rng.randint(1, 3))
    )
    lines.append("input Filter { " + " ".join(fields) + " }")
    return "\n".join(lines)


def _entity(
    rng: random.Random,
    name: str,
    names: list[str],
    entity: str,
    known: list[str],
    field_types: dict[str, str],
) -> str:
    key = rng.choice(["id", "id", "sku", "id sku"])
    directives = f'@key(fields: "{key}"' + (", resolvable: false)" if rng.random() < 0.1 else ")")
    if rng.random() < 0.1:
        directives += " @shareable"
    if rng.random() < 0.03:
        directives += " @inaccessible"
    fields = ["id: ID!", "sku: String!" + ("" if "sku" in key else " @shareable")]
    externals = []
    for field in rng.sample(sorted(field_types), rng.randint(0, 3)):
        roll = rng.random()
        applied = ""
        if roll < 0.55:
            applied = " @shareable"
        elif roll < 0.65:
            applied = " @external"
            externals.append(field)
        elif roll < 0.7:
            applied = f' @override(from: "{rng.choice(names)}")'
        elif roll < 0.75:
            applied = ' @tag(name: "t") @shareable'
        elif roll < 0.8:
            applied = " @inaccessible @shareable"
        elif roll < 0.9:
            applied = ' @deprecated(reason: "x") @shareable'
        described = '"About it." ' if rng.random() < 0.2 else ""
        type_ref = field_types[field] if rng.random() < 0.95 else rng.choice(_SCALARS)
        fields.append(f"{described}{field}: {type_ref}{applied}")
    if externals and rng.random() < 0.8:
        fields.append(f'derived{name}: Int @requires(fields: "{" ".join(externals)}")')
    if rng.random() < 0.3:
        fields.append(f"related{name}: {rng.choice(known)}")
    return f"type {entity} {directives} {{ {' '.join(fields)} }}"


def _interface(
    rng: random.Random, lines: list[str], defined: list[str], field_types: dict[str, str]
) -> list[str]:
    candidates = ["id: ID!", "sku: String!", f"f0: {field_types['f0']}", f"f1: {field_types['f1']}"]
    interface_fields = rng.sample(candidates, rng.randint(1, 3))
    for index, line in enumerate(lines):
        entity = line.split(" ", 2)[1] if line.startswith("type ") else None
        if entity not in defined or rng.random() < 0.3:
            continue
        missing = [f"{f} @shareable" for f in interface_fields if f.split(":")[0] + ":" not in line]
        body = line.rstrip("}").rstrip()
        lines[index] = (
            body.replace(f"type {entity} ", f"type {entity} implements Node ", 1)
            + (" " + " ".join(missing) if missing else "")
            + " }"
        )
    return ["interface Node { " + " ".join(interface_fields) + " }"]
