"""Which local directive names mean which federation directive, read from a subgraph's @link.

A Fed-2 subgraph links the federation spec (`@link(url: ".../federation/v2.x", import: [...])`):
imported directives keep their name or the `as` they were given, the rest are reachable as
`@<namespace>__<name>`. A subgraph without that link is Fed-1 and uses the plain names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql.language import (
    ConstDirectiveNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
)

FEDERATION_DIRECTIVES = frozenset(
    {
        "key",
        "external",
        "requires",
        "provides",
        "extends",
        "shareable",
        "override",
        "inaccessible",
        "tag",
        "interfaceObject",
        "composeDirective",
        "authenticated",
        "requiresScopes",
        "policy",
        "context",
        "fromContext",
        "cost",
        "listSize",
    }
)
# What a Fed-1 subgraph (no @link to federation) may use; the rest came with Federation 2.
FED1_DIRECTIVES = frozenset({"key", "external", "requires", "provides", "extends", "tag"})
BUILT_IN_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "include", "skip", "oneOf"})

_SPEC_URL = re.compile(
    r"^https?://specs\.apollo\.dev/(?P<spec>[A-Za-z_]+)/v(?P<major>\d+)\.(?P<minor>\d+)"
)


# The federation versions Apollo's composition knows, and the version each directive came in.
KNOWN_FEDERATION_VERSIONS = frozenset((2, minor) for minor in range(15))
_INTRODUCED_IN: dict[str, tuple[int, int]] = {
    "composeDirective": (2, 1),
    "interfaceObject": (2, 3),
    "authenticated": (2, 5),
    "requiresScopes": (2, 5),
    "policy": (2, 6),
    "context": (2, 8),
    "fromContext": (2, 8),
    "cost": (2, 9),
    "listSize": (2, 9),
}


class LinkError(Exception):
    """The @link application is malformed; the text says how, `code` is Apollo's for it."""

    def __init__(self, message: str, code: str = "INVALID_GRAPHQL") -> None:
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class DirectiveNames:
    """Maps the names a subgraph writes to canonical federation directive names."""

    federation_version: tuple[int, int] | None
    by_local_name: dict[str, str] = field(default_factory=dict)

    @property
    def fed1(self) -> bool:
        return self.federation_version is None

    def canonical(self, local_name: str) -> str | None:
        if local_name in BUILT_IN_DIRECTIVES:
            return local_name
        if self.fed1:
            return local_name if local_name in FED1_DIRECTIVES else None
        return self.by_local_name.get(local_name)


def _argument(directive: ConstDirectiveNode, name: str) -> object | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _string(value: object | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, StringValueNode):
        raise LinkError(f"@link({what}:) must be a string")
    return value.value


def _imports(value: object | None) -> list[tuple[str, str]]:
    """(name in the spec, local name) for each `import:` entry, directives with their @."""
    if value is None:
        return []
    entries = (value.values or ()) if isinstance(value, ListValueNode) else [value]
    found: list[tuple[str, str]] = []
    for entry in entries:
        if isinstance(entry, StringValueNode):
            found.append((entry.value, entry.value))
        elif isinstance(entry, ObjectValueNode):
            fields = {f.name.value: f.value for f in entry.fields or ()}
            name = _string(fields.get("name"), "import name")
            alias = _string(fields.get("as"), "import as") or name
            if name is None or alias is None:
                raise LinkError("an @link import object needs a `name`")
            found.append((name, alias))
        else:
            raise LinkError("@link(import:) entries must be strings or {name, as} objects")
    return found


def read_links(schema_directives: Iterable[ConstDirectiveNode]) -> DirectiveNames:
    links = [d for d in schema_directives if d.name.value == "link"]
    names = DirectiveNames(federation_version=None)
    for link in links:
        url = _string(_argument(link, "url"), "url")
        if url is None:
            raise LinkError("@link needs a `url`")
        matched = _SPEC_URL.match(url)
        if matched is None:
            continue
        spec = matched.group("spec")
        namespace = _string(_argument(link, "as"), "as") or spec
        imports = _imports(_argument(link, "import"))
        if spec == "federation":
            version = (int(matched.group("major")), int(matched.group("minor")))
            if version not in KNOWN_FEDERATION_VERSIONS:
                raise LinkError(
                    f"Invalid version v{version[0]}.{version[1]} for the federation feature in "
                    "@link directive on schema",
                    "UNKNOWN_FEDERATION_LINK_VERSION",
                )
            names.federation_version = version
            available = {
                d for d in FEDERATION_DIRECTIVES if _INTRODUCED_IN.get(d, (2, 0)) <= version
            }
            for directive in available:
                names.by_local_name.setdefault(f"{namespace}__{directive}", directive)
            for name, alias in imports:
                if not name.startswith("@"):
                    continue  # a type such as FieldSet: nothing to map
                if name[1:] not in available:
                    raise LinkError(
                        f'Cannot import unknown element "{name}".', "INVALID_LINK_DIRECTIVE_USAGE"
                    )
                names.by_local_name[alias.lstrip("@")] = name[1:]
        elif spec in ("tag", "inaccessible"):
            # A spec's main directive goes by the namespace itself (`@tag`), like Apollo's.
            names.by_local_name[namespace] = spec
            for name, alias in imports:
                if name == f"@{spec}":
                    names.by_local_name[alias.lstrip("@")] = spec
    return names
