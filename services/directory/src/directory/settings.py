"""Settings of the directory service: `DIRECTORY_<FIELD>` environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class DirectorySettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIRECTORY_", extra="ignore", frozen=True)
