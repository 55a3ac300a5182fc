"""Bearer tokens: signature, issuer, audience and expiry are all checked."""

from __future__ import annotations

import uuid

import pytest

from shared.auth import Role, TokenVerifier
from shared.dev_issuer import DevIssuer
from shared.problems import Unauthorized
from shared.settings import BaseServiceSettings


def verifier_for(issuer: DevIssuer, **overrides: str) -> TokenVerifier:
    settings = BaseServiceSettings(
        database_url="postgresql+asyncpg://pdnet:secret@db/x",  # type: ignore[arg-type]
        jwks_file=issuer.jwks_path,
        **overrides,  # type: ignore[arg-type]
    )
    return TokenVerifier(settings)


def test_a_development_token_carries_roles_and_scopes(dev_issuer: DevIssuer) -> None:
    centre = uuid.uuid4()
    token = dev_issuer.mint(subject="u1", roles=["centre_manager"], centres=[centre])
    principal = verifier_for(dev_issuer).verify(token)
    assert principal.subject == "u1"
    assert principal.roles == {Role.CENTRE_MANAGER}
    assert principal.centre_ids == {centre}


def test_an_expired_token_is_refused(dev_issuer: DevIssuer) -> None:
    token = dev_issuer.mint(roles=["teacher"], ttl_s=-120)
    with pytest.raises(Unauthorized, match="expired"):
        verifier_for(dev_issuer).verify(token)


def test_a_token_for_another_audience_is_refused(dev_issuer: DevIssuer) -> None:
    token = dev_issuer.mint(roles=["teacher"])
    with pytest.raises(Unauthorized):
        verifier_for(dev_issuer, jwt_audience="someone-else").verify(token)


def test_a_token_signed_by_an_unknown_key_is_refused(
    dev_issuer: DevIssuer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = DevIssuer(tmp_path_factory.mktemp("stranger"))
    stranger.ensure_keys()
    with pytest.raises(Unauthorized):
        verifier_for(dev_issuer).verify(stranger.mint(roles=["platform_admin"]))


def test_settings_refuse_to_start_without_a_key_source() -> None:
    with pytest.raises(ValueError, match="jwks"):
        BaseServiceSettings(database_url="postgresql+asyncpg://a:b@c/d")  # type: ignore[arg-type]
