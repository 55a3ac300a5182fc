"""Plans a client operation into subgraph fetches.

The operation is walked type by type while staying in the subgraph of the current fetch as long
as it can resolve the fields asked for (shareable fields and `@provides` included); a field it
cannot resolve opens, or joins, an entity fetch to a subgraph that can, keyed by a key the
current subgraph supplies, with any `@requires` fields fetched first. Fetches are then ordered
by what they depend on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
)

from gateway.planning.building import FetchGroup, PlanBuilder, PlanningError
from gateway.planning.fields import FieldCollector
from gateway.planning.plan import QueryPlan
from gateway.planning.selections import SelectionTree
from gateway.supergraph import FieldInfo, Supergraph, TypeInfo, parse_field_set

_MAX_DEPTH = 64
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def _list_depth(type_: GraphQLOutputType) -> int:
    depth = 0
    while True:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        elif isinstance(type_, GraphQLList):
            depth += 1
            type_ = type_.of_type
        else:
            return depth


class _OperationPlanner:
    def __init__(
        self,
        supergraph: Supergraph,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        conditions: Mapping[str, Any],
    ) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.types = supergraph.types
        self.operation = operation
        self.collector = FieldCollector(self.schema, fragments, conditions)
        # Key, requires and provides field sets: no fragments of their own, no conditions.
        self.field_sets = FieldCollector(self.schema, {}, {})
        self.groups: list[FetchGroup] = []
        self.depth = 0

    # Walking the operation.

    def plan_root(self) -> QueryPlan:
        kind = self.operation.operation
        root = self.schema.get_root_type(kind)
        if root is None:
            raise PlanningError(f"the schema has no {kind.value} type")
        fields = self.collector.collect([self.operation.selection_set], root.name)
        sequential = kind == OperationType.MUTATION
        root_groups: dict[str, FetchGroup] = {}
        last: FetchGroup | None = None
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename" or name in INTROSPECTION_FIELDS:
                continue
            info = self._field_info(root.name, name)
            if not info.resolvable_in:
                raise PlanningError(f"no subgraph resolves {root.name}.{name}")
            if sequential:
                if last is None or last.subgraph not in info.resolvable_in:
                    last = self._new_group(info.resolvable_in[0], (), False, len(self.groups))
                group = last
            else:
                subgraph = self._best_subgraph(
                    info.resolvable_in, root, name, nodes, prefer=set(root_groups)
                )
                group = root_groups.get(subgraph) or self._new_group(subgraph, (), False, -1)
                root_groups[subgraph] = group
            self._add_local(group, group.selection, root, key, nodes, info, (), None)
        return QueryPlan(PlanBuilder(self.operation, self.groups, self.types).build(sequential))

    def _field_info(self, type_name: str, field_name: str) -> FieldInfo:
        info = self.types[type_name].fields.get(field_name)
        if info is None:
            raise PlanningError(f"{type_name}.{field_name} is not in the supergraph")
        return info

    def _new_group(
        self, subgraph: str, path: tuple[str, ...], is_entity: bool, root_index: int
    ) -> FetchGroup:
        group = FetchGroup(subgraph, path, is_entity, root_index)
        if root_index == -1:
            group.root_index = len(self.groups)
        self.groups.append(group)
        return group

    def plan_fields(
        self,
        group: FetchGroup,
        tree: SelectionTree,
        parent: GraphQLObjectType,
        fields: Mapping[str, list[FieldNode]],
        path: tuple[str, ...],
        provided: SelectionSetNode | None,
    ) -> set[FetchGroup]:
        """Adds the fields to the group where it can resolve them, to other fetches otherwise;
        returns the fetches that supply them."""
        suppliers = {group}
        provided_here = self.field_sets.collect([provided], parent.name) if provided else None
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                tree.add_field(key, "__typename", (), composite=False)
                continue
            info = self._field_info(parent.name, name)
            provided_nodes = provided_here.get(name) if provided_here is not None else None
            if provided_nodes is not None or _resolves_itself(info, group.subgraph):
                nested = provided_nodes[0].selection_set if provided_nodes else None
                suppliers |= self._add_local(group, tree, parent, key, nodes, info, path, nested)
            else:
                suppliers |= self._jump(group, tree, parent, key, nodes, info, path, provided)
        return suppliers

    def _add_local(
        self,
        group: FetchGroup,
        tree: SelectionTree,
        parent: GraphQLObjectType,
        key: str,
        nodes: Sequence[FieldNode],
        info: FieldInfo,
        path: tuple[str, ...],
        provided: SelectionSetNode | None,
    ) -> set[FetchGroup]:
        name = nodes[0].name.value
        definition = parent.fields[name]
        named = get_named_type(definition.type)
        composite = is_composite_type(named)
        selection = tree.add_field(key, name, tuple(nodes[0].arguments or ()), composite=composite)
        if not composite or selection.selection is None:
            return {group}
        provides = info.provides.get(group.subgraph)
        if provides is not None:
            provided = parse_field_set(provides)
        sub_path = (*path, key, *("@",) * _list_depth(definition.type))
        sub_sets = [node.selection_set for node in nodes if node.selection_set is not None]
        return self.plan_selection(group, selection.selection, named, sub_sets, sub_path, provided)

    def plan_selection(
        self,
        group: FetchGroup,
        tree: SelectionTree,
        type_: Any,
        selection_sets: Sequence[SelectionSetNode],
        path: tuple[str, ...],
        provided: SelectionSetNode | None,
    ) -> set[FetchGroup]:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise PlanningError("the operation nests too deeply to plan")
        try:
            if isinstance(type_, GraphQLObjectType):
                fields = self.collector.collect(selection_sets, type_.name)
                return self.plan_fields(group, tree, type_, fields, path, provided)
            # An abstract type: ask for `__typename` and plan each type the subgraph may return.
            abstract = self.types.get(type_.name)
            if abstract is not None and group.subgraph in abstract.interface_object_in:
                return self._plan_interface_object(group, tree, type_, selection_sets, path)
            tree.add_typename()
            suppliers = {group}
            for possible in self.supergraph.possible_types_in(type_.name, group.subgraph):
                runtime = self.schema.type_map.get(possible)
                if not isinstance(runtime, GraphQLObjectType):
                    continue  # inaccessible to clients
                fields = self.collector.collect(selection_sets, possible)
                if all(nodes[0].name.value == "__typename" for nodes in fields.values()):
                    continue
                fragment = tree.fragment(possible)
                suppliers |= self.plan_fields(group, fragment, runtime, fields, path, provided)
            return suppliers
        finally:
            self.depth -= 1

    def _plan_interface_object(
        self,
        group: FetchGroup,
        tree: SelectionTree,
        interface: Any,
        selection_sets: Sequence[SelectionSetNode],
        path: tuple[str, ...],
    ) -> set[FetchGroup]:
        """The subgraph knows the interface only as an `@interfaceObject`: it gives the fields
        it resolves on the interface; a subgraph where the interface is an entity interface
        gives the object types (`__typename`) and the rest."""
        info = self.types[interface.name]
        tree.add_typename()
        suppliers = {group}
        answered: set[str] = set()
        for key, nodes in self.collector.collect(selection_sets, interface.name).items():
            field_info = info.fields.get(nodes[0].name.value)
            if field_info is not None and _resolves_itself(field_info, group.subgraph):
                suppliers |= self._add_local(
                    group, tree, interface, key, nodes, field_info, path, None
                )
                answered.add(key)
        sources = [
            s
            for s in info.subgraphs
            if s not in info.interface_object_in and info.resolvable_keys(s)
        ]
        if not sources:
            raise PlanningError(f"no subgraph resolves the object types of {interface.name}")
        target = sources[0]
        child = group.children.get((target, path))
        if child is None:
            child = self._new_group(target, path, True, group.root_index)
            group.children[(target, path)] = child
        if interface.name not in child.representations:
            template = child.representations[interface.name] = SelectionTree()
            template.add_typename()
            key_fields = info.resolvable_keys(target)[0].fields
            child.depends_on |= self._fetch_field_set(
                group, tree, template, interface, parse_field_set(key_fields), path, None, target
            )
        child.depends_on.discard(child)
        fragment = child.selection.fragment(interface.name)
        fragment.add_typename()
        for possible in self.supergraph.possible_types_in(interface.name, target):
            runtime = self.schema.type_map.get(possible)
            if not isinstance(runtime, GraphQLObjectType):
                continue
            fields = {
                key: nodes
                for key, nodes in self.collector.collect(selection_sets, possible).items()
                if key not in answered and nodes[0].name.value != "__typename"
            }
            if fields:
                suppliers |= self.plan_fields(
                    child, fragment.fragment(possible), runtime, fields, path, None
                )
        return suppliers | {child}

    def _jump(
        self,
        group: FetchGroup,
        tree: SelectionTree,
        parent: GraphQLObjectType,
        key: str,
        nodes: Sequence[FieldNode],
        info: FieldInfo,
        path: tuple[str, ...],
        provided: SelectionSetNode | None,
        avoid: str | None = None,
    ) -> set[FetchGroup]:
        # The entity fetched is the type itself, or an interface it implements that another
        # subgraph knows as an `@interfaceObject` and resolves the field on.
        entity = self.types[parent.name]
        entity_field = info
        candidates = [s for s in info.resolvable_in if s != avoid and entity.resolvable_keys(s)]
        if not candidates:
            found = self._interface_object_for(parent, info.name, avoid)
            if found is None:
                raise PlanningError(
                    f"{parent.name}.{info.name} cannot be reached from subgraph {group.subgraph}"
                )
            entity, entity_field, candidates = found
        joinable = {s for s in candidates if (s, path) in group.children}
        reachable = [
            s for s in candidates if self._local_key(entity.name, s, group.subgraph, parent.name)
        ]
        target = self._best_subgraph(
            reachable or candidates, parent, info.name, nodes, prefer=joinable
        )
        child = group.children.get((target, path))
        if child is None:
            child = self._new_group(target, path, True, group.root_index)
            group.children[(target, path)] = child
        template = child.representations.get(parent.name)
        if template is None:
            template = child.representations[parent.name] = SelectionTree()
            template.add_typename()
            child.sent_as[parent.name] = entity.name
            key_fields = self._local_key(entity.name, target, group.subgraph, parent.name) or (
                entity.resolvable_keys(target)[0].fields
            )
            tree.add_typename()
            child.depends_on |= self._fetch_field_set(
                group, tree, template, parent, parse_field_set(key_fields), path, provided, target
            )
        requires = entity_field.requires.get(target)
        if requires is not None:
            child.depends_on |= self._fetch_field_set(
                group, tree, template, parent, parse_field_set(requires), path, provided, target
            )
        child.depends_on.discard(child)
        fragment = child.selection.fragment(entity.name)
        return self._add_local(child, fragment, parent, key, nodes, info, path, None)

    def _interface_object_for(
        self, parent: GraphQLObjectType, field_name: str, avoid: str | None
    ) -> tuple[TypeInfo, FieldInfo, list[str]] | None:
        for interface in parent.interfaces:
            info = self.types.get(interface.name)
            if info is None or not info.interface_object_in:
                continue
            field_info = info.fields.get(field_name)
            if field_info is None:
                continue
            subgraphs = [
                s
                for s in field_info.resolvable_in
                if s in info.interface_object_in and s != avoid and info.resolvable_keys(s)
            ]
            if subgraphs:
                return info, field_info, subgraphs
        return None

    def _best_subgraph(
        self,
        candidates: Sequence[str],
        parent: GraphQLObjectType,
        field_name: str,
        nodes: Sequence[FieldNode],
        prefer: set[str],
    ) -> str:
        """Of the subgraphs that resolve the field, the one that resolves most of what is
        asked below it itself; then one already being asked; then the supergraph's order."""
        if len(candidates) == 1:
            return candidates[0]
        named = get_named_type(parent.fields[field_name].type)
        sets = [node.selection_set for node in nodes if node.selection_set is not None]

        def rank(item: tuple[int, str]) -> tuple[int, int, int]:
            index, subgraph = item
            local = self._local_count(subgraph, named, sets, 0) if sets else 0
            return (-local, 0 if subgraph in prefer else 1, index)

        return min(enumerate(candidates), key=rank)[1]

    def _local_count(
        self, subgraph: str, type_: Any, sets: Sequence[SelectionSetNode], depth: int
    ) -> int:
        """How many of the fields asked for the subgraph resolves without another fetch."""
        if depth > 8:
            return 0
        if isinstance(type_, GraphQLObjectType):
            runtimes = [type_]
        else:
            runtimes = [
                t
                for name in self.supergraph.possible_types_in(type_.name, subgraph)
                if isinstance(t := self.schema.type_map.get(name), GraphQLObjectType)
            ]
        count = 0
        for runtime in runtimes:
            info = self.types.get(runtime.name)
            if info is None:
                continue
            for nodes in self.collector.collect(sets, runtime.name).values():
                name = nodes[0].name.value
                field = info.fields.get(name)
                if field is None or subgraph not in field.resolvable_in:
                    continue
                count += 1
                inner = [n.selection_set for n in nodes if n.selection_set is not None]
                if inner:
                    named = get_named_type(runtime.fields[name].type)
                    count += self._local_count(subgraph, named, inner, depth + 1)
        return count

    def _fetch_field_set(
        self,
        group: FetchGroup,
        tree: SelectionTree,
        template: SelectionTree,
        parent: Any,
        selection_set: SelectionSetNode,
        path: tuple[str, ...],
        provided: SelectionSetNode | None,
        target: str,
    ) -> set[FetchGroup]:
        """Adds a key or `@requires` field set to the fetch, and to the representation template
        the fields the fetch will hold its values under; fields found elsewhere are fetched from
        a subgraph other than `target`, the one they are for. `parent` may be abstract inside
        a field set, whose inline fragments then name the object types."""
        suppliers = {group}
        provided_here = self.field_sets.collect([provided], parent.name) if provided else None
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                runtime = self.schema.type_map.get(condition.name.value) if condition else parent
                if runtime is None:
                    continue
                same = runtime.name == parent.name
                suppliers |= self._fetch_field_set(
                    group,
                    tree if same else tree.fragment(runtime.name),
                    template if same else template.fragment(runtime.name),
                    runtime,
                    selection.selection_set,
                    path,
                    provided,
                    target,
                )
                continue
            if not isinstance(selection, FieldNode):
                continue
            name = selection.name.value
            composite = selection.selection_set is not None
            copied = template.add_field(name, name, (), composite=composite)
            if name == "__typename":
                copied.source = tree.add_field(name, name, (), composite=False, internal=True)
                continue
            info = self._field_info(parent.name, name)
            local = _resolves_itself(info, group.subgraph) or (
                provided_here is not None and name in provided_here
            )
            if not local:
                if not isinstance(parent, GraphQLObjectType):
                    raise PlanningError(
                        f"{parent.name}.{name} in a field set is not resolved by {group.subgraph}"
                    )
                # Found in another subgraph: planned like a client field, under its own name.
                suppliers |= self._jump(
                    group, tree, parent, name, [selection], info, path, None, target
                )
                if copied.selection is not None and selection.selection_set is not None:
                    inner = get_named_type(parent.fields[name].type)
                    _copy_names(copied.selection, selection.selection_set, inner)
                continue
            arguments = tuple(selection.arguments or ())
            fetched = tree.add_field(name, name, arguments, composite=composite, internal=True)
            copied.source = fetched
            if not composite:
                continue
            assert fetched.selection is not None and copied.selection is not None
            assert selection.selection_set is not None
            named = get_named_type(parent.fields[name].type)
            sub_path = (
                *path,
                fetched.response_key,
                *("@",) * _list_depth(parent.fields[name].type),
            )
            if not isinstance(named, GraphQLObjectType):
                fetched.selection.add_typename()
                copied.selection.add_typename()
            suppliers |= self._fetch_field_set(
                group,
                fetched.selection,
                copied.selection,
                named,
                selection.selection_set,
                sub_path,
                None,
                target,
            )
        return suppliers

    def _local_key(
        self, type_name: str, target: str, source: str, runtime: str | None = None
    ) -> str | None:
        """A key of the type in `target` that `source` can resolve by itself (on `runtime`,
        the object type, when the type is an interface)."""
        type_info = self.types[type_name]
        for key in type_info.resolvable_keys(target):
            if self._field_set_local(runtime or type_name, parse_field_set(key.fields), source):
                return key.fields
        return None

    def _field_set_local(
        self, type_name: str, selection_set: SelectionSetNode, source: str
    ) -> bool:
        type_info = self.types.get(type_name)
        if type_info is None:
            return False
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and not self._field_set_local(
                    condition.name.value, selection.selection_set, source
                ):
                    return False
                continue
            if not isinstance(selection, FieldNode) or selection.name.value == "__typename":
                continue
            info = type_info.fields.get(selection.name.value)
            if info is None or source not in info.resolvable_in:
                return False
            if selection.selection_set is not None:
                definition = self.schema.type_map.get(type_name)
                if not isinstance(definition, GraphQLObjectType):
                    return False
                named = get_named_type(definition.fields[selection.name.value].type)
                if not self._field_set_local(named.name, selection.selection_set, source):
                    return False
        return True


def _resolves_itself(info: FieldInfo, subgraph: str) -> bool:
    """The subgraph resolves the field in the fetch that reaches it: it does, and needs nothing
    from elsewhere for it (a field with `@requires` takes an entity fetch of its own)."""
    return subgraph in info.resolvable_in and subgraph not in info.requires


def _copy_names(tree: SelectionTree, selection_set: SelectionSetNode, type_: Any) -> None:
    """A field set's fields as a representation template, `__typename` where types vary."""
    if not isinstance(type_, GraphQLObjectType):
        tree.add_typename()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            copied = tree.add_field(name, name, (), composite=selection.selection_set is not None)
            fields = getattr(type_, "fields", None) or {}
            if copied.selection is not None and selection.selection_set and name in fields:
                inner = get_named_type(fields[name].type)
                _copy_names(copied.selection, selection.selection_set, inner)
        elif isinstance(selection, InlineFragmentNode) and selection.type_condition:
            _copy_names(
                tree.fragment(selection.type_condition.name.value), selection.selection_set, type_
            )


class QueryPlanner:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph

    def plan(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        conditions: Mapping[str, Any],
    ) -> QueryPlan:
        """Plans the operation with `@skip`/`@include` decided by the condition values given."""
        return _OperationPlanner(self.supergraph, operation, fragments, conditions).plan_root()
