"""Settings of the exchange service: `EXCHANGE_<FIELD>` environment variables."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class ExchangeSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXCHANGE_", extra="ignore", frozen=True)

    directory_url: str = "http://127.0.0.1:8001"
    """Where the directory service answers; centres and educators are checked there."""
    events_url: str = "http://127.0.0.1:8002"
    """Where the events service answers; recognised exchanges are credited to its ledger."""
    ledger_token: SecretStr | None = None
    """A bearer token with scope `ledger:write` from the organisation's issuer (this service's
    client credential). Locally, when it is not set, the service mints short-lived ones with
    the development issuer whose keys sit beside `jwks_file`."""
