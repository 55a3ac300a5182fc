"""Settings of the resources service: `RESOURCES_<FIELD>` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class ResourcesSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RESOURCES_", extra="ignore", frozen=True)

    directory_url: str = "http://127.0.0.1:8001"
    """Where the directory service answers; owning centres are checked there."""
    events_url: str = "http://127.0.0.1:8002"
    """Where the events service answers; course prerequisites are checked in its ledger."""
    worker_interval_s: float = 60.0
    run_worker: bool = True
