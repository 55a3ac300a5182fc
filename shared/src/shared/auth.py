"""Bearer-token authentication and the principal every authorisation rule is written against.

Tokens are JWTs from the organisation's OIDC issuer (keys from its JWKS URL) or, locally, from
the development issuer whose JWKS `pdnet up` writes to disk. Claims pdnet reads:
`sub`, `roles` (list), `networks` and `centres` (lists of UUIDs the roles are scoped to),
`scope` (space-separated OAuth scopes, for machine clients).

API keys (`Authorization: Bearer pdk_...`) are accepted alongside tokens: the service asks the
resolver on `app.state.api_keys` (see `shared.api_keys`), and the key becomes a principal with
the key's network and scopes but no roles, so role checks refuse it and scope checks decide.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, Request
from strawberry.permission import BasePermission
from strawberry.types import Info

from shared.problems import Forbidden, Unauthorized
from shared.settings import BaseServiceSettings

ALGORITHMS = ["RS256", "ES256", "EdDSA"]


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    NETWORK_ADMIN = "network_admin"
    CENTRE_MANAGER = "centre_manager"
    EDUCATOR = "educator"
    TEACHER = "teacher"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role] = frozenset()
    network_ids: frozenset[uuid.UUID] = frozenset()
    centre_ids: frozenset[uuid.UUID] = frozenset()
    scopes: frozenset[str] = field(default_factory=frozenset)
    api_key_id: uuid.UUID | None = None
    """Set when the caller is a machine using an API key rather than a person's token."""

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def administers_network(self, network_id: uuid.UUID) -> bool:
        return self.is_platform_admin or (
            Role.NETWORK_ADMIN in self.roles and network_id in self.network_ids
        )

    def manages_centre(
        self, centre_id: uuid.UUID, centre_networks: Iterable[uuid.UUID] = ()
    ) -> bool:
        """A centre is managed by its own managers and by admins of any network it belongs to."""
        if self.is_platform_admin:
            return True
        if Role.CENTRE_MANAGER in self.roles and centre_id in self.centre_ids:
            return True
        return Role.NETWORK_ADMIN in self.roles and not self.network_ids.isdisjoint(centre_networks)


def _uuid_set(value: Any, claim: str) -> frozenset[uuid.UUID]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise Unauthorized(f"Token claim '{claim}' must be a list of ids.")
    try:
        return frozenset(uuid.UUID(str(v)) for v in value)
    except ValueError as exc:
        raise Unauthorized(f"Token claim '{claim}' holds something that is not an id.") from exc


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles_claim = claims.get("roles") or []
    if not isinstance(roles_claim, list):
        raise Unauthorized("Token claim 'roles' must be a list.")
    known = {r.value for r in Role}
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(Role(r) for r in roles_claim if r in known),
        network_ids=_uuid_set(claims.get("networks"), "networks"),
        centre_ids=_uuid_set(claims.get("centres"), "centres"),
        scopes=frozenset(str(claims.get("scope", "")).split()),
    )


class TokenVerifier:
    """Validates signature, issuer, audience and expiry; keys come from a JWKS URL or file."""

    def __init__(self, settings: BaseServiceSettings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._client: jwt.PyJWKClient | None = None
        self._keyset: jwt.PyJWKSet | None = None
        if settings.jwks_url:
            self._client = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=600)
        elif settings.jwks_file:
            self._keyset = jwt.PyJWKSet.from_dict(json.loads(settings.jwks_file.read_text()))

    def _key_for(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthorized("The bearer token is not a well-formed JWT.") from exc
        if self._client is not None:
            try:
                return self._client.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError as exc:
                raise Unauthorized("The bearer token was not signed by a known key.") from exc
        assert self._keyset is not None
        for key in self._keyset.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise Unauthorized("The bearer token was not signed by a known key.")

    def verify(self, token: str) -> Principal:
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The bearer token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"The bearer token is not valid: {exc}.") from exc
        return principal_from_claims(claims)


def _challenge(problem: Unauthorized) -> Unauthorized:
    problem.headers["WWW-Authenticate"] = 'Bearer realm="pdnet"'
    return problem


def principal_from_header(verifier: TokenVerifier, authorization: str | None) -> Principal | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _challenge(Unauthorized("Use 'Authorization: Bearer <token>'."))
    try:
        return verifier.verify(token.strip())
    except Unauthorized as exc:
        raise _challenge(exc) from exc


API_KEY_PREFIX = "pdk_"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiKeyResolver(Protocol):
    async def resolve(self, key: str) -> Principal | None:
        """The key's principal, or None when the key is unknown or revoked."""
        ...


async def _principal_from_api_key(request: Request, key: str) -> Principal:
    resolver: ApiKeyResolver | None = getattr(request.app.state, "api_keys", None)
    if resolver is None:
        raise _challenge(Unauthorized("This service does not accept API keys."))
    principal = await resolver.resolve(key)
    if principal is None:
        raise _challenge(Unauthorized("The API key is unknown or has been revoked."))
    if request.method in _READS and not _may_read(principal, request.url.path):
        raise Forbidden("This API key has no 'read' scope.")
    return principal


def _may_read(principal: Principal, path: str) -> bool:
    """`read` reads anything; a `webhooks` key still reads its own subscriptions and logs."""
    if "read" in principal.scopes:
        return True
    return "webhooks" in principal.scopes and path.startswith("/v1/webhooks")


async def optional_principal(request: Request) -> Principal | None:
    cached = getattr(request.state, "principal", ...)
    if cached is not ...:
        return cached
    authorization = request.headers.get("authorization")
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and credential.strip().startswith(API_KEY_PREFIX):
        principal: Principal | None = await _principal_from_api_key(request, credential.strip())
    else:
        principal = principal_from_header(request.app.state.token_verifier, authorization)
    request.state.principal = principal
    return principal


async def required_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise _challenge(Unauthorized("This action needs a bearer token."))
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(required_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.is_platform_admin or not principal.roles.isdisjoint(roles):
        return
    raise Forbidden(f"This action needs one of the roles: {', '.join(r.value for r in roles)}.")


class IsAuthenticated(BasePermission):
    """Strawberry permission: the GraphQL context must carry a principal."""

    message = "This field needs a bearer token."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return principal_of(info) is not None


def principal_of(info: Info) -> Principal | None:
    principal: Principal | None = getattr(info.context, "principal", None)
    return principal
