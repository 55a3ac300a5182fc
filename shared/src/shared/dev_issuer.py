"""The local development token issuer: an EC key pair on disk and tokens signed with it.

Only `pdnet up`, `pdnet token` and the tests use this; production validates tokens from the
organisation's OIDC issuer through its JWKS URL.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ISSUER = "pdnet-dev"
AUDIENCE = "pdnet"
KEY_ID = "pdnet-dev-1"


class DevIssuer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.private_key_path = directory / "private.pem"
        self.jwks_path = directory / "jwks.json"

    def ensure_keys(self) -> None:
        """Create the key pair once; later runs reuse it so minted tokens stay valid."""
        if self.private_key_path.exists() and self.jwks_path.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(self.private_key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": KEY_ID, "use": "sig", "alg": "ES256"})
        self.jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))

    def mint(
        self,
        *,
        subject: str | None = None,
        roles: Iterable[str] = (),
        centres: Iterable[uuid.UUID | str] = (),
        networks: Iterable[uuid.UUID | str] = (),
        scope: str | None = None,
        ttl_s: int = 12 * 3600,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject or str(uuid.uuid4()),
            "iat": now,
            "exp": now + ttl_s,
            "roles": list(roles),
            "centres": [str(c) for c in centres],
            "networks": [str(n) for n in networks],
        }
        if scope:
            claims["scope"] = scope
        key = serialization.load_pem_private_key(self.private_key_path.read_bytes(), None)
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": KEY_ID})  # type: ignore[arg-type]
