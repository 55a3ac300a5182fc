"""Signatures per the Standard Webhooks specification (standardwebhooks.com).

Each delivery carries `webhook-id` (the same on every retry of one message, so receivers can
drop duplicates), `webhook-timestamp` (Unix seconds) and `webhook-signature`: `v1,` and the
base64 HMAC-SHA256 of `id.timestamp.body` under the subscription's secret. Secrets are
`whsec_` and 32 random bytes in base64, the form the specification's libraries accept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secret: str, *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id=message_id, timestamp=timestamp, body=body),
        "content-type": "application/json",
    }
