"""The gateway's settings, read from `GATEWAY_<FIELD>` environment variables.

Subgraphs come from `services.toml` (every service's `/graphql`), from `service_urls` for
production addresses, and from national subgraphs listed in `subgraphs` or `subgraphs_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    # Where the subgraphs and services are.
    include_stack: bool = True
    """Serve every service in `services.toml` (REST and its subgraph)."""
    stack_host: str = "127.0.0.1"
    """The host (as in a URL: `[::1]` for IPv6) of the services of `services.toml`, when
    `service_urls` names none."""
    service_urls: dict[str, str] = Field(default_factory=dict)
    """Base URL per service, e.g. `{"directory": "http://directory:8001"}` (JSON in the env)."""
    subgraphs: dict[str, str] = Field(default_factory=dict)
    """National subgraphs: name to GraphQL URL (JSON in the env)."""
    subgraphs_file: Path | None = None
    """A TOML file of national subgraphs: `[subgraphs.<name>]` tables with a `url`."""
    supergraph_file: Path | None = None
    """An Apollo supergraph SDL served as-is instead of composing the subgraphs."""

    expose_supergraph: bool = True
    """Publish `/supergraph.graphql` and `/supergraph`, and subgraph URLs in `/readyz`; turn off
    where the subgraphs' addresses are private."""

    refresh_interval_s: float = 30.0
    """How often subgraph SDLs and OpenAPI documents are read again."""
    startup_retry_max_s: float = 5.0
    """The longest wait between attempts while no supergraph has loaded yet."""
    subgraph_timeout_s: float = 10.0
    rest_timeout_s: float = 30.0

    # Limits on GraphQL operations.
    max_depth: int = 15
    max_aliases: int = 30
    max_cost: int = 20_000
    """Every field costs 1, times the page sizes (`first`/`last`) of the fields around it."""
    default_page_size: int = 50
    """The page size assumed for a paginated field called without `first` or `last`."""
    max_query_bytes: int = 100_000
    apq_cache_size: int = 1000

    # Per-client rate limits: a token bucket per bearer-token subject, else per client address.
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200
    rate_limit_clients: int = 100_000
    """How many clients' buckets are kept; the least recently seen are forgotten first."""
    trust_forwarded_for: bool = False
    """Key anonymous clients by `X-Forwarded-For` (behind a trusted ingress only)."""

    expose_query_plans: bool | None = None
    """Answer `Apollo-Expose-Query-Plan: true` with the plan in `extensions.apolloQueryPlan`;
    by default everywhere but in production."""

    cors_origins: list[str] = Field(default_factory=list)
    """Browser origins allowed to call the gateway, e.g. `["https://portal.luma.fi"]`."""

    # Tokens are verified like the services do, to key rate limits by a subject nobody can forge.
    jwt_issuer: str = "pdnet-dev"
    jwt_audience: str = "pdnet"
    jwks_url: str | None = None
    jwks_file: Path | None = None

    environment: Literal["development", "test", "production"] = "production"
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _sources(self) -> GatewaySettings:
        if self.refresh_interval_s <= 0:
            raise ValueError("refresh_interval_s must be positive")
        if min(self.max_depth, self.max_aliases, self.max_cost, self.rate_limit_burst) < 1:
            raise ValueError("limits must be at least 1")
        return self

    @property
    def plans_exposed(self) -> bool:
        if self.expose_query_plans is None:
            return self.environment != "production"
        return self.expose_query_plans

    @property
    def verifies_tokens(self) -> bool:
        return self.jwks_url is not None or self.jwks_file is not None
