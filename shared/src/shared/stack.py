"""The list of processes that make up pdnet, read from `services.toml` at the repository root.

`pdnet up`, `pdnet migrate`, `pdnet seed` and the test fixtures all work from this list, so a
new service joins all of them by adding one table to that file.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STACK_FILE = "services.toml"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    path: Path
    app: str
    """`module:factory` returning the ASGI app; the factory reads settings from the env."""
    seed: str | None
    """`module:function` loading demo data: `async def seed(session, *, scale) -> str`."""

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def database_name(self) -> str:
        return self.name

    def load_app_factory(self) -> Any:
        return load_object(self.app)


def load_object(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def find_repo_root(start: Path | None = None) -> Path:
    env = os.environ.get("PDNET_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / STACK_FILE).exists():
            return candidate
    raise FileNotFoundError(f"no {STACK_FILE} in {here} or its parents; run inside the repo")


def load_stack(root: Path) -> list[ServiceSpec]:
    data = tomllib.loads((root / STACK_FILE).read_text())
    return [
        ServiceSpec(
            name=name,
            port=int(entry["port"]),
            path=root / entry["path"],
            app=entry["app"],
            seed=entry.get("seed"),
        )
        for name, entry in data.get("services", {}).items()
    ]
