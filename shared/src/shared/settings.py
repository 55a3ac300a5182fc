"""Settings every service shares; each service subclasses this with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class BaseServiceSettings(BaseSettings):
    """Read from `<SERVICE>_<FIELD>` environment variables (the prefix is set by subclasses)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: SecretStr
    """SQLAlchemy URL, e.g. `postgresql+asyncpg://user:pw@host/directory`."""
    db_pool_size: int = 20
    db_max_overflow: int = 10
    db_statement_cache_size: int = 100
    """asyncpg's prepared statement cache; set 0 behind PgBouncer in transaction pooling."""
    db_command_timeout_s: float = 10.0
    db_connect_timeout_s: float = 5.0
    """How long opening a database connection may take before the request gets a 503."""
    db_pool_timeout_s: float = 10.0
    """How long a request waits for a pooled connection before it gets a 503."""

    jwt_issuer: str = "pdnet-dev"
    jwt_audience: str = "pdnet"
    jwks_url: str | None = None
    """The OIDC issuer's JWKS endpoint (production)."""
    jwks_file: Path | None = None
    """A JWKS document on disk: the local development issuer's public keys."""

    environment: Literal["development", "test", "production"] = "production"
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"
    public_base_url: str = "http://localhost"

    run_webhook_worker: bool = True
    webhook_worker_interval_s: float = 2.0
    """How often this process looks for new events to deliver and deliveries due again."""
    webhook_timeout_s: float = 10.0
    webhook_allow_private_targets: bool = False
    """Deliver to loopback and private addresses even in production (refused there otherwise)."""
    api_key_cache_s: float = 30.0
    """How long a service trusts the directory's answer about an API key (revocation delay)."""
    outbox_retention_days: int = 30
    """Events older than this leave the outbox (and the change feed) once every active webhook
    subscription has been sent them; a feed consumer must not fall further behind."""

    @property
    def webhooks_may_target_private(self) -> bool:
        return self.webhook_allow_private_targets or self.environment != "production"

    @model_validator(mode="after")
    def _one_key_source(self) -> BaseServiceSettings:
        if self.jwks_url is None and self.jwks_file is None:
            raise ValueError("set either jwks_url (production) or jwks_file (local development)")
        if (
            self.environment == "production"
            and "postgres:@" in self.database_url.get_secret_value()
        ):
            raise ValueError("database_url has an empty password; refusing to run in production")
        return self
