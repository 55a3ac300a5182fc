"""Centre queries: one SQL statement per page or per centre, with its related rows folded in."""

from __future__ import annotations

import functools
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB, REGCONFIG, aggregate_order_by
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from directory.models import (
    Centre,
    CentreIdentifier,
    LabelHolder,
    Membership,
    Network,
    QualityLabel,
)
from shared.pagination import decode_cursor, encode_cursor

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.195
# Languages whose text search configuration a query is tried in when the caller names none.
SEARCH_CONFIGS = ("english", "french", "finnish", "italian", "german", "swedish", "simple")
_CONFIG_BY_LANGUAGE = {
    "en": "english",
    "fr": "french",
    "fi": "finnish",
    "it": "italian",
    "de": "german",
    "sv": "swedish",
}


def search_config_for(language: str | None) -> str | None:
    """The text search configuration for a language tag; `simple` when there is none."""
    if language is None:
        return None
    return _CONFIG_BY_LANGUAGE.get(language.split("-")[0], "simple")


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class CentreFilters:
    q: str | None = None
    search_language: str | None = None
    country: str | None = None
    region: str | None = None
    subjects: Sequence[str] = ()
    audiences: Sequence[str] = ()
    languages: Sequence[str] = ()
    label_scheme: str | None = None
    network_id: uuid.UUID | None = None
    statuses: Sequence[str] = ("active", "temporarily_closed")
    near: Near | None = None
    modified_after: datetime | None = None
    ids: Sequence[uuid.UUID] = field(default_factory=tuple)


def _today() -> ColumnElement[Any]:
    return func.current_date()


def _identifiers_json() -> Any:
    return (
        select(
            func.coalesce(
                func.jsonb_agg(
                    aggregate_order_by(
                        func.jsonb_build_object(
                            "scheme", CentreIdentifier.scheme, "value", CentreIdentifier.value
                        ),
                        CentreIdentifier.scheme,
                    )
                ),
                cast(literal("[]"), JSONB),
            )
        )
        .where(CentreIdentifier.centre_id == Centre.id)
        .scalar_subquery()
    )


def _memberships_json() -> Any:
    current = or_(Membership.ends_on.is_(None), Membership.ends_on >= _today())
    return (
        select(
            func.coalesce(
                func.jsonb_agg(
                    func.jsonb_build_object(
                        "network_id",
                        Membership.network_id,
                        "role",
                        Membership.role,
                        "starts_on",
                        Membership.starts_on,
                        "ends_on",
                        Membership.ends_on,
                    )
                ),
                cast(literal("[]"), JSONB),
            )
        )
        .where(Membership.centre_id == Centre.id, current)
        .scalar_subquery()
    )


def _labels_json() -> Any:
    return (
        select(
            func.coalesce(
                func.jsonb_agg(
                    func.jsonb_build_object(
                        "id",
                        QualityLabel.id,
                        "scheme",
                        QualityLabel.scheme,
                        "valid_from",
                        QualityLabel.valid_from,
                        "valid_to",
                        QualityLabel.valid_to,
                    )
                ),
                cast(literal("[]"), JSONB),
            )
        )
        .select_from(LabelHolder)
        .join(QualityLabel, QualityLabel.id == LabelHolder.label_id)
        .where(LabelHolder.centre_id == Centre.id, _label_is_current())
        .scalar_subquery()
    )


def _label_is_current() -> ColumnElement[bool]:
    return and_(
        QualityLabel.valid_from <= _today(),
        or_(QualityLabel.valid_to.is_(None), QualityLabel.valid_to >= _today()),
    )


@functools.cache
def centre_columns() -> tuple[Any, ...]:
    """Built once: constructing the three subqueries costs more than running a by-id query."""
    return (
        Centre.id,
        Centre.name,
        Centre.description,
        Centre.country,
        Centre.region,
        Centre.address,
        Centre.lat,
        Centre.lon,
        Centre.website,
        Centre.public_email,
        Centre.public_phone,
        Centre.subjects,
        Centre.audiences,
        Centre.languages,
        Centre.status,
        Centre.data_source,
        Centre.origin_id,
        Centre.created_at,
        Centre.updated_at,
        Centre.version,
        _identifiers_json().label("identifiers"),
        _memberships_json().label("memberships"),
        _labels_json().label("labels"),
    )


def _distance_km(near: Near) -> ColumnElement[float]:
    """Great-circle (haversine) distance; exact enough for "centres within N km"."""
    lat, lon = literal(near.lat, Float), literal(near.lon, Float)
    dlat = func.radians(Centre.lat - lat) / 2
    dlon = func.radians(Centre.lon - lon) / 2
    a = func.power(func.sin(dlat), 2) + func.cos(func.radians(lat)) * func.cos(
        func.radians(Centre.lat)
    ) * func.power(func.sin(dlon), 2)
    return EARTH_RADIUS_KM * 2 * func.asin(func.least(1.0, func.sqrt(a)))


def _bounding_box(near: Near) -> ColumnElement[bool] | None:
    """A box around the circle that the GiST index on `location` can answer quickly."""
    dlat = near.radius_km / KM_PER_DEGREE
    lat_min, lat_max = near.lat - dlat, near.lat + dlat
    if lat_min <= -89.0 or lat_max >= 89.0:
        return None
    dlon = near.radius_km / (KM_PER_DEGREE * math.cos(math.radians(abs(near.lat) + dlat)))
    lon_min, lon_max = near.lon - dlon, near.lon + dlon
    if lon_min < -180.0 or lon_max > 180.0:
        return Centre.lat.between(lat_min, lat_max)  # the box would wrap the antimeridian
    box = func.box(func.point(lon_min, lat_min), func.point(lon_max, lat_max))
    return Centre.location.op("<@")(box)


def _text_query(filters: CentreFilters) -> ColumnElement[Any]:
    assert filters.q is not None
    configs = (
        [filters.search_language, "simple"] if filters.search_language else list(SEARCH_CONFIGS)
    )
    queries = [func.websearch_to_tsquery(cast(literal(c), REGCONFIG), filters.q) for c in configs]
    combined: ColumnElement[Any] = queries[0]
    for query in queries[1:]:
        combined = combined.op("||")(query)
    # As a scalar subquery PostgreSQL builds the tsquery once per statement; inline, the
    # regconfig casts keep it from being folded and it is rebuilt for every matching row.
    return select(combined).scalar_subquery()


def _network_and_descendants(network_id: uuid.UUID) -> Any:
    seed = select(literal(network_id).label("id")).cte("network_tree", recursive=True)
    step = select(Membership.member_network_id).where(
        Membership.network_id == seed.c.id,
        Membership.member_network_id.is_not(None),
        or_(Membership.ends_on.is_(None), Membership.ends_on >= _today()),
    )
    return seed.union(step)


def _where(filters: CentreFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.ids:
        clauses.append(Centre.id.in_(filters.ids))
    if filters.statuses:
        clauses.append(Centre.status.in_(filters.statuses))
    if filters.country:
        clauses.append(Centre.country == filters.country)
    if filters.region:
        # NUTS codes nest by prefix: FI1 contains FI1B.
        clauses.append(Centre.region.startswith(filters.region, autoescape=True))
    if filters.subjects:
        clauses.append(Centre.subjects.contains(list(filters.subjects)))
    if filters.audiences:
        clauses.append(Centre.audiences.contains(list(filters.audiences)))
    if filters.languages:
        clauses.append(Centre.languages.contains(list(filters.languages)))
    if filters.modified_after:
        clauses.append(Centre.updated_at > filters.modified_after)
    if filters.label_scheme:
        clauses.append(
            exists()
            .where(LabelHolder.centre_id == Centre.id)
            .where(QualityLabel.id == LabelHolder.label_id)
            .where(QualityLabel.scheme == filters.label_scheme, _label_is_current())
        )
    if filters.network_id:
        tree = _network_and_descendants(filters.network_id)
        clauses.append(
            exists().where(
                Membership.centre_id == Centre.id,
                Membership.network_id.in_(select(tree.c.id)),
                or_(Membership.ends_on.is_(None), Membership.ends_on >= _today()),
            )
        )
    if filters.q:
        clauses.append(Centre.search.op("@@")(_text_query(filters)))
    if filters.near:
        box = _bounding_box(filters.near)
        if box is not None:
            clauses.append(box)
        clauses.append(_distance_km(filters.near) <= filters.near.radius_km)
    return clauses


def ordering_of(filters: CentreFilters) -> str:
    if filters.near:
        return "distance"
    if filters.q:
        return "relevance"
    if filters.modified_after:
        return "modified"
    return "id"


async def search_centres(
    session: AsyncSession, filters: CentreFilters, *, limit: int, after: str | None
) -> tuple[list[Row[Any]], str | None]:
    """A page of centres in a stable order, and the cursor of the next page (or None)."""
    ordering = ordering_of(filters)
    stmt: Select[Any] = select(*centre_columns()).where(*_where(filters))
    if ordering == "distance":
        assert filters.near is not None
        key = _distance_km(filters.near)
        stmt = stmt.add_columns(key.label("distance_km"))
        if after:
            distance, last_id = decode_cursor(after, ordering, 2)
            stmt = stmt.where(tuple_(key, Centre.id) > tuple_(float(distance), uuid.UUID(last_id)))
        stmt = stmt.order_by(key, Centre.id)
    elif ordering == "relevance":
        rank = func.ts_rank(Centre.search, _text_query(filters))
        stmt = stmt.add_columns(rank.label("rank"))
        if after:
            last_rank, last_id = decode_cursor(after, ordering, 2)
            last_rank_value = cast(literal(float(last_rank)), Float(precision=24))
            stmt = stmt.where(
                or_(rank < last_rank_value, and_(rank == last_rank_value, Centre.id > last_id))
            )
        stmt = stmt.order_by(rank.desc(), Centre.id)
    elif ordering == "modified":
        if after:
            last_time, last_id = decode_cursor(after, ordering, 2)
            stmt = stmt.where(
                tuple_(Centre.updated_at, Centre.id)
                > tuple_(datetime.fromisoformat(last_time), uuid.UUID(last_id))
            )
        stmt = stmt.order_by(Centre.updated_at, Centre.id)
    else:
        if after:
            (last_id,) = decode_cursor(after, ordering, 1)
            stmt = stmt.where(Centre.id > uuid.UUID(last_id))
        stmt = stmt.order_by(Centre.id)
    rows = list((await session.execute(stmt.limit(limit + 1))).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, cursor_for(rows[-1], ordering)


def cursor_for(row: Row[Any], ordering: str) -> str:
    if ordering == "distance":
        return encode_cursor(ordering, [row.distance_km, str(row.id)])
    if ordering == "relevance":
        return encode_cursor(ordering, [row.rank, str(row.id)])
    if ordering == "modified":
        return encode_cursor(ordering, [row.updated_at.isoformat(), str(row.id)])
    return encode_cursor(ordering, [str(row.id)])


async def get_centre_rows(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, any_status: bool = True
) -> dict[uuid.UUID, Row[Any]]:
    """Many centres by id in one query (the federation loader's batch)."""
    if not ids:
        return {}
    statement = _centres_by_id_any_status() if any_status else _centres_by_id_active()
    rows = (await session.execute(statement, {"ids": list(ids)})).all()
    return {row.id: row for row in rows}


@functools.cache
def _centres_by_id_any_status() -> Select[Any]:
    return select(*centre_columns()).where(Centre.id.in_(bindparam("ids", expanding=True)))


@functools.cache
def _centres_by_id_active() -> Select[Any]:
    return _centres_by_id_any_status().where(Centre.status == "active")


async def lock_centre(session: AsyncSession, centre_id: uuid.UUID) -> Centre | None:
    result = await session.execute(select(Centre).where(Centre.id == centre_id).with_for_update())
    return result.scalar_one_or_none()


async def identifiers_taken(
    session: AsyncSession, identifiers: Sequence[tuple[str, str]], *, other_than: uuid.UUID | None
) -> list[tuple[str, str, uuid.UUID]]:
    if not identifiers:
        return []
    stmt = select(
        CentreIdentifier.scheme, CentreIdentifier.value, CentreIdentifier.centre_id
    ).where(tuple_(CentreIdentifier.scheme, CentreIdentifier.value).in_(list(identifiers)))
    if other_than is not None:
        stmt = stmt.where(CentreIdentifier.centre_id != other_than)
    return [(r.scheme, r.value, r.centre_id) for r in (await session.execute(stmt)).all()]


async def replace_identifiers(
    session: AsyncSession, centre_id: uuid.UUID, identifiers: Sequence[tuple[str, str]]
) -> None:
    await session.execute(delete(CentreIdentifier).where(CentreIdentifier.centre_id == centre_id))
    for scheme, value in identifiers:
        session.add(CentreIdentifier(centre_id=centre_id, scheme=scheme, value=value))


async def existing_network_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    rows = await session.execute(select(Network.id).where(Network.id.in_(list(ids))))
    return {row[0] for row in rows}
