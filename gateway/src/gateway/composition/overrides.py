"""@override: which subgraph resolves a field that moved, whether the subgraph it moved from
still uses it, and the progressive-override label both keep."""

from __future__ import annotations

import re
from collections.abc import Mapping, Set

from gateway.composition.errors import Report
from gateway.composition.sources import FieldSource

_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def apply_overrides(
    coordinate: str,
    sources: list[FieldSource],
    used: Mapping[str, Set[tuple[str, str]]],
    report: Report,
) -> None:
    """Marks the sources an @override takes a field from; reports misuse."""
    by_name = {s.subgraph.name: s for s in sources}
    overriding = [s for s in sources if s.field.override_from is not None]
    for source in overriding:
        origin = source.field.override_from
        assert origin is not None
        name = source.subgraph.name
        if origin == name:
            report(
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
            report(
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
            report(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                f'@override cannot be used on field "{coordinate}" on subgraph "{name}" '
                f'since "{coordinate}" on "{where}" is marked with directive "@{directive}"',
                [name, origin],
            )
            continue
        if overridden.field.external:
            continue
        parent = coordinate.split(".")[0]
        if (parent, overridden.field.name) in used[origin]:
            overridden.used_overridden = True
        else:
            overridden.unused_overridden = True
        label = source.field.override_label
        if label is not None:
            percent = _PERCENT.match(label)
            if _LABEL.match(label) or (percent and 0 <= float(percent.group(1)) <= 100):
                source.label = overridden.label = label
            else:
                report(
                    "OVERRIDE_LABEL_INVALID",
                    f'Invalid @override label "{label}" on field "{coordinate}" on subgraph '
                    f'"{name}": labels must start with a letter and after that may contain '
                    "alphanumerics, underscores, minuses, colons, periods, or slashes. "
                    'Alternatively, labels may be of the form "percent(x)" where x is a '
                    "float between 0-100 inclusive.",
                    [name],
                )
