"""The gateway in `pdnet up`: started after the services, since it composes their schemas."""

from __future__ import annotations

import os

from pdnet_cli.service_processes import ProcessPlan, url_host
from shared.dev_issuer import DevIssuer

GATEWAY_NAME = "gateway"
GATEWAY_PORT = 8000
GATEWAY_APP = "gateway.main:create_app"
_ENV_PREFIX = "GATEWAY_"


def gateway_plan(host: str, issuer: DevIssuer) -> ProcessPlan:
    """The gateway's settings as env vars; ones the user already set in the environment win."""
    defaults = {
        # The services listen where the gateway does; a wildcard bind is reached on loopback.
        "STACK_HOST": url_host(host),
        "JWKS_FILE": str(issuer.jwks_path),
        "ENVIRONMENT": "development",
        "LOG_FORMAT": "console",
    }
    env = {
        _ENV_PREFIX + key: os.environ.get(_ENV_PREFIX + key, value)
        for key, value in defaults.items()
    }
    return ProcessPlan(name=GATEWAY_NAME, app=GATEWAY_APP, port=GATEWAY_PORT, env=env)


def gateway_urls(base: str) -> list[str]:
    return [
        f"GraphQL (GraphiQL in a browser)  {base}/graphql",
        f"REST, every service              {base}/v1/...",
        f"API explorer                     {base}/docs",
        f"supergraph SDL                   {base}/supergraph.graphql",
    ]
