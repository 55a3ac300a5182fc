"""The directory schema: networks, memberships, centres, identifiers, labels, educators.

Revision ID: 0001
Revises: (none)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each text is analysed with its own language's configuration (French stems for French text),
# so a query finds words in the language they were written in. Tags without a built-in
# configuration fall back to 'simple' (no stemming).
SEARCH_FUNCTIONS = (
    """
CREATE FUNCTION pdnet_text_search_config(tag text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE split_part(tag, '-', 1)
    WHEN 'en' THEN 'english' WHEN 'fr' THEN 'french' WHEN 'fi' THEN 'finnish'
    WHEN 'it' THEN 'italian' WHEN 'de' THEN 'german' WHEN 'sv' THEN 'swedish'
    WHEN 'es' THEN 'spanish' WHEN 'pt' THEN 'portuguese' WHEN 'nl' THEN 'dutch'
    WHEN 'da' THEN 'danish' WHEN 'nb' THEN 'norwegian' WHEN 'no' THEN 'norwegian'
    WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian' WHEN 'el' THEN 'greek'
    WHEN 'lt' THEN 'lithuanian' WHEN 'tr' THEN 'turkish' WHEN 'ru' THEN 'russian'
    WHEN 'ga' THEN 'irish' WHEN 'ca' THEN 'catalan'
    ELSE 'simple' END)::regconfig
$$""",
    """
CREATE FUNCTION pdnet_language_map_vector(texts jsonb, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    (SELECT string_agg(
        setweight(to_tsvector(pdnet_text_search_config(key), value), weight)::text, ' ')
       FROM jsonb_each_text(CASE WHEN jsonb_typeof(texts) = 'object' THEN texts ELSE '{}' END)
    )::tsvector,
    ''::tsvector)
$$""",
    """
CREATE FUNCTION centres_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search :=
    pdnet_language_map_vector(NEW.name, 'A')
    || pdnet_language_map_vector(NEW.description, 'B')
    || setweight(to_tsvector('simple', coalesce(NEW.address ->> 'locality', '')), 'C');
  RETURN NEW;
END $$""",
    """
CREATE TRIGGER centres_search_refresh BEFORE INSERT OR UPDATE OF name, description, address
ON centres FOR EACH ROW EXECUTE FUNCTION centres_search_refresh()""",
)

DROP_SEARCH_FUNCTIONS = (
    "DROP TRIGGER IF EXISTS centres_search_refresh ON centres",
    "DROP FUNCTION IF EXISTS centres_search_refresh()",
    'DROP FUNCTION IF EXISTS pdnet_language_map_vector(jsonb, "char")',
    "DROP FUNCTION IF EXISTS pdnet_text_search_config(text)",
)


def upgrade() -> None:
    op.create_table(
        "centres",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=5), nullable=True),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("public_email", sa.String(length=254), nullable=True),
        sa.Column("public_phone", sa.String(length=40), nullable=True),
        sa.Column(
            "subjects", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column(
            "audiences", postgresql.ARRAY(sa.String(length=20)), server_default="{}", nullable=False
        ),
        sa.Column(
            "languages", postgresql.ARRAY(sa.String(length=12)), server_default="{}", nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("data_source", sa.String(length=64), nullable=True),
        sa.Column("origin_id", sa.String(length=200), nullable=True),
        sa.Column("search", postgresql.TSVECTOR(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'temporarily_closed')", name=op.f("ck_centres_status")
        ),
        sa.CheckConstraint("(lat IS NULL) = (lon IS NULL)", name=op.f("ck_centres_coords_pair")),
        sa.CheckConstraint(
            "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name=op.f("ck_centres_coords")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centres")),
        sa.UniqueConstraint(
            "data_source", "origin_id", name=op.f("uq_centres_data_source_origin_id")
        ),
    )
    # A plain `point` (lon, lat) with a GiST index bounds "near" searches without PostGIS.
    op.execute(
        "ALTER TABLE centres ADD COLUMN location point GENERATED ALWAYS AS (point(lon, lat)) STORED"
    )
    for statement in SEARCH_FUNCTIONS:
        op.execute(statement)
    op.create_index(
        "ix_centres_audiences", "centres", ["audiences"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_centres_country_region", "centres", ["country", "region"], unique=False)
    op.create_index(
        "ix_centres_languages", "centres", ["languages"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_centres_location", "centres", ["location"], unique=False, postgresql_using="gist"
    )
    op.create_index(
        "ix_centres_search", "centres", ["search"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_centres_subjects", "centres", ["subjects"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_centres_updated_at_id", "centres", ["updated_at", "id"], unique=False)
    op.create_table(
        "networks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("data_source", sa.String(length=64), nullable=True),
        sa.Column("origin_id", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('european', 'national', 'regional', 'thematic')",
            name=op.f("ck_networks_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint(
            "data_source", "origin_id", name=op.f("uq_networks_data_source_origin_id")
        ),
    )
    op.create_table(
        "quality_labels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("evidence_url", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_quality_labels_validity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_labels")),
    )
    op.create_index("ix_quality_labels_scheme", "quality_labels", ["scheme"], unique=False)
    op.create_table(
        "centre_identifiers",
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("centre_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centres.id"],
            name=op.f("fk_centre_identifiers_centre_id_centres"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scheme", "value", name=op.f("pk_centre_identifiers")),
    )
    op.create_index(
        "ix_centre_identifiers_centre_id", "centre_identifiers", ["centre_id"], unique=False
    )
    op.create_table(
        "educators",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("centre_id", sa.Uuid(), nullable=False),
        sa.Column("user_subject", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "subjects", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column(
            "levels", postgresql.ARRAY(sa.String(length=20)), server_default="{}", nullable=False
        ),
        sa.Column(
            "methods", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
        ),
        sa.Column(
            "languages", postgresql.ARRAY(sa.String(length=12)), server_default="{}", nullable=False
        ),
        sa.Column("available_for_exchange", sa.Boolean(), nullable=False),
        sa.Column("bio", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("public_profile", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('teacher_educator', 'phd_student')", name=op.f("ck_educators_kind")
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centres.id"],
            name=op.f("fk_educators_centre_id_centres"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_educators")),
        sa.UniqueConstraint("user_subject", name=op.f("uq_educators_user_subject")),
    )
    op.create_index("ix_educators_centre_id", "educators", ["centre_id"], unique=False)
    op.create_index(
        "ix_educators_subjects", "educators", ["subjects"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "label_holders",
        sa.Column("label_id", sa.Uuid(), nullable=False),
        sa.Column("centre_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centres.id"],
            name=op.f("fk_label_holders_centre_id_centres"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["quality_labels.id"],
            name=op.f("fk_label_holders_label_id_quality_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("label_id", "centre_id", name=op.f("pk_label_holders")),
    )
    op.create_index("ix_label_holders_centre_id", "label_holders", ["centre_id"], unique=False)
    op.create_table(
        "network_memberships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("centre_id", sa.Uuid(), nullable=True),
        sa.Column("member_network_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "role IN ('member', 'coordinator', 'hub', 'partner', 'observer')",
            name=op.f("ck_network_memberships_role"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_network_memberships_dates")
        ),
        sa.CheckConstraint(
            "member_network_id IS DISTINCT FROM network_id",
            name=op.f("ck_network_memberships_not_self"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(centre_id, member_network_id) = 1",
            name=op.f("ck_network_memberships_one_member"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centres.id"],
            name=op.f("fk_network_memberships_centre_id_centres"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_network_id"],
            ["networks.id"],
            name=op.f("fk_network_memberships_member_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_memberships_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_memberships")),
    )
    op.create_index(
        "ix_network_memberships_centre_id", "network_memberships", ["centre_id"], unique=False
    )
    op.create_index(
        "ix_network_memberships_member_network_id",
        "network_memberships",
        ["member_network_id"],
        unique=False,
    )
    op.create_index(
        "ix_network_memberships_network_id", "network_memberships", ["network_id"], unique=False
    )


def downgrade() -> None:
    for statement in DROP_SEARCH_FUNCTIONS:
        op.execute(statement)
    op.drop_index("ix_network_memberships_network_id", table_name="network_memberships")
    op.drop_index("ix_network_memberships_member_network_id", table_name="network_memberships")
    op.drop_index("ix_network_memberships_centre_id", table_name="network_memberships")
    op.drop_table("network_memberships")
    op.drop_index("ix_label_holders_centre_id", table_name="label_holders")
    op.drop_table("label_holders")
    op.drop_index("ix_educators_subjects", table_name="educators", postgresql_using="gin")
    op.drop_index("ix_educators_centre_id", table_name="educators")
    op.drop_table("educators")
    op.drop_index("ix_centre_identifiers_centre_id", table_name="centre_identifiers")
    op.drop_table("centre_identifiers")
    op.drop_index("ix_quality_labels_scheme", table_name="quality_labels")
    op.drop_table("quality_labels")
    op.drop_table("networks")
    op.drop_index("ix_centres_updated_at_id", table_name="centres")
    op.drop_index("ix_centres_subjects", table_name="centres", postgresql_using="gin")
    op.drop_index("ix_centres_search", table_name="centres", postgresql_using="gin")
    op.drop_index("ix_centres_location", table_name="centres", postgresql_using="gist")
    op.drop_index("ix_centres_languages", table_name="centres", postgresql_using="gin")
    op.drop_index("ix_centres_country_region", table_name="centres")
    op.drop_index("ix_centres_audiences", table_name="centres", postgresql_using="gin")
    op.drop_table("centres")
