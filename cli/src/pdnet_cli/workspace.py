"""Where the pdnet command keeps local state: `.pdnet/` in the repository (git-ignored)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pdnet_cli.errors import CommandError
from shared.stack import STACK_FILE, ServiceSpec, find_repo_root, load_stack


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def find(cls) -> Workspace:
        try:
            return cls(find_repo_root())
        except FileNotFoundError as exc:
            raise CommandError(f"{exc} (or use ./pdnet, which does)") from exc

    @property
    def state_dir(self) -> Path:
        """`PDNET_STATE_DIR` moves it, e.g. so a test can run a whole stack in a temp folder."""
        override = os.environ.get("PDNET_STATE_DIR")
        return Path(override) if override else self.root / ".pdnet"

    @property
    def postgres_dir(self) -> Path:
        """Embedded PostgreSQL of `pdnet up`; the tests use their own next to it."""
        return self.state_dir / "postgres"

    @property
    def issuer_dir(self) -> Path:
        """The development issuer's keys, shared by `pdnet up` and `pdnet token`."""
        return self.state_dir / "dev-issuer"

    def shown(self, path: Path) -> str:
        """A path as the user should read it: relative to the repository when inside it."""
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def services(self, only: str | None = None) -> list[ServiceSpec]:
        """The services in services.toml, or just the one named `only`."""
        try:
            stack = load_stack(self.root)
        except FileNotFoundError as exc:
            raise CommandError(f"no {STACK_FILE} in {self.root}") from exc
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{STACK_FILE} is malformed: {exc}") from exc
        if only is None:
            return stack
        chosen = [spec for spec in stack if spec.name == only]
        if not chosen:
            names = ", ".join(spec.name for spec in stack) or "none"
            raise CommandError(f"no service named {only!r} in {STACK_FILE} (services: {names})")
        return chosen
