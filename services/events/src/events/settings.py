"""Settings of the events service: `EVENTS_<FIELD>` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class EventsSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EVENTS_", extra="ignore", frozen=True)

    directory_url: str = "http://127.0.0.1:8001"
    """Where the directory service answers; host centres are checked there."""
    worker_interval_s: float = 30.0
    """How often this process expires unanswered offers and applies go/no-go decisions."""
    run_worker: bool = True
