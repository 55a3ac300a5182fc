"""Composes Apollo Federation v2 subgraphs into a supergraph SDL in Apollo's own format (the
`@link`ed join spec with `@join__graph`, `@join__type`, `@join__field`, `@join__implements`,
`@join__unionMember` and `@join__enumValue`), so that the supergraph loads in our gateway as well
as in Apollo Gateway, Apollo Router and Hive Gateway.

Subgraph SDLs are read as `{ _service { sdl } }` returns them: the federation spec `@link`ed with
imports (renamed ones and `@federation__key`-style namespaced names included), or Fed-1 SDL without
a `@link`. Supported: `@key` (composite, nested, several per type, `resolvable: false`),
`@shareable`, `@external`, `@requires`, `@provides`, `@override` (with `label`), `@inaccessible`,
`@tag`, `@extends` and `extend type`, `@interfaceObject`, interfaces, unions, enums, inputs, custom
scalars with `@specifiedBy`, descriptions, defaults, deprecations and renamed root types, custom
directives kept with `@composeDirective`, the demand-control hints `@cost` and `@listSize`, and the
access-control directives `@authenticated`, `@requiresScopes` and `@policy` (requirements from
several subgraphs are all kept, joined with AND), and `@context` with `@fromContext` arguments.
Types merge by Apollo's rules: output field types widen to their common supertype, argument and
input field types narrow, arguments and input fields are intersected, output enums unioned, input
enums intersected, enums used both ways must agree.

Failures carry Apollo's error codes and messages, naming the subgraphs involved. Checked: invalid
SDL, unknown types and directives, GraphQL's schema rules (INVALID_GRAPHQL); the @link to
federation (UNKNOWN_FEDERATION_LINK_VERSION, INVALID_LINK_DIRECTIVE_USAGE); subgraph names
(INVALID_SUBGRAPH_NAME); renamed roots beside a default-named type (ROOT_QUERY_USED and its
mutation/subscription twins); @key/@requires/@provides selections (KEY_INVALID_FIELDS,
KEY_FIELDS_HAS_ARGS, KEY_FIELDS_SELECT_INVALID_TYPE, REQUIRES_INVALID_FIELDS,
REQUIRES_FIELDS_MISSING_EXTERNAL, PROVIDES_ON_NON_OBJECT_FIELD, PROVIDES_INVALID_FIELDS,
PROVIDES_FIELDS_MISSING_EXTERNAL, PROVIDES_FIELDS_HAS_ARGS); EXTERNAL_UNUSED,
EXTERNAL_MISSING_ON_BASE, EXTERNAL_TYPE_MISMATCH; INVALID_FIELD_SHARING; TYPE_KIND_MISMATCH,
FIELD_TYPE_MISMATCH, FIELD_ARGUMENT_TYPE_MISMATCH, FIELD_ARGUMENT_DEFAULT_MISMATCH,
INPUT_FIELD_DEFAULT_MISMATCH, REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH,
REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH, EMPTY_MERGED_INPUT_TYPE, ENUM_VALUE_MISMATCH,
EMPTY_MERGED_ENUM_TYPE; interfaces (INTERFACE_FIELD_NO_IMPLEM,
INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE, INTERFACE_OBJECT_USAGE_ERROR); what @inaccessible hides
(REFERENCED_INACCESSIBLE, REQUIRED_INACCESSIBLE, DEFAULT_VALUE_USES_INACCESSIBLE,
ONLY_INACCESSIBLE_CHILDREN, IMPLEMENTED_BY_INACCESSIBLE, QUERY_ROOT_TYPE_INACCESSIBLE); @override
(OVERRIDE_FROM_SELF_ERROR, OVERRIDE_SOURCE_HAS_OVERRIDE, OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
OVERRIDE_LABEL_INVALID); and SATISFIABILITY_ERROR for a field no query can reach: the path is
followed with every subgraph it may be in, moving between subgraphs through resolvable @keys whose
fields can be collected, as Apollo's query planner would, a @requires field only where its
requirements can be fetched.

Not checked (Apollo's composition would catch these; ours may accept them): the rest of the
satisfiability validation (@provides paths, shareable fields whose subgraphs disagree on what is
reachable below them), the checks on `@composeDirective` beyond a definition and a linked spec
(conflicting definitions or versions across subgraphs; the first is kept), whether a `@fromContext`
selection fits the types carrying its `@context`, the propagation of access-control requirements
between interfaces and their implementations, arguments of directives against their definitions,
and the hints Apollo prints for inconsistencies that are not errors.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.composition.errors import CompositionError, CompositionIssue
from gateway.composition.graphql_validity import check_graphql_rules, check_merged_graphql_rules
from gateway.composition.inaccessible import check_inaccessible
from gateway.composition.merge import Merger
from gateway.composition.printing import print_supergraph
from gateway.composition.satisfiability import check_satisfiability
from gateway.composition.subgraph_checks import check_subgraph
from gateway.composition.subgraphs import SubgraphDefinition, read_subgraphs

__all__ = ["CompositionError", "CompositionIssue", "SubgraphDefinition", "compose"]


def compose(subgraphs: Sequence[SubgraphDefinition]) -> str:
    """The supergraph SDL of the subgraphs; CompositionError lists every problem found."""
    if not subgraphs:
        raise CompositionError([CompositionIssue("NO_SUBGRAPHS", "There are no subgraphs")])
    reserved = [s.name for s in subgraphs if s.name == "_"]
    if reserved:
        raise CompositionError(
            [
                CompositionIssue(
                    "INVALID_SUBGRAPH_NAME",
                    "[_] Invalid name _ for a subgraph: this name is reserved",
                    ("_",),
                )
            ]
        )
    names = [s.name for s in subgraphs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CompositionError(
            [
                CompositionIssue(
                    "INVALID_SUBGRAPH_NAME",
                    f'Subgraph name "{name}" is used more than once',
                    (name,),
                )
                for name in duplicates
            ]
        )
    # Every subgraph is checked on its own before any merging, and all their issues reported.
    read, issues = read_subgraphs(subgraphs)
    for subgraph in read:
        issues.extend(check_graphql_rules(subgraph) or check_subgraph(subgraph))
    if issues:
        raise CompositionError(issues)
    merger = Merger(read)
    merged = merger.merge()
    if merger.issues:
        raise CompositionError(merger.issues)
    issues = (
        check_merged_graphql_rules(merged)
        or check_inaccessible(merged)
        or check_satisfiability(merger.subgraphs, merged)
    )
    if issues:
        raise CompositionError(issues)
    return print_supergraph(merged)
