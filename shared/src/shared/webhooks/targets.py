"""Where webhooks may be sent: http(s) URLs, and in production only to public addresses.

A subscriber could otherwise point a service at its own network (cloud metadata endpoints,
databases on private addresses). The check runs when a subscription is saved and again before
each delivery, on every address the host name resolves to, since DNS answers can change.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from shared.problems import InvalidInput


class TargetRefused(ValueError):
    """The URL is not one this service will deliver to."""


def check_url_shape(url: str) -> str:
    """The host name of an acceptable URL; raises TargetRefused saying what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("not a valid URL") from exc
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("the scheme must be https (or http)")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username or parts.password:
        raise TargetRefused("credentials do not belong in the URL; verify the signature instead")
    if port == 0:
        raise TargetRefused("port 0 is not a port")
    return parts.hostname


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


async def check_target(url: str, *, allow_private: bool) -> None:
    """Raises TargetRefused unless `url` may be delivered to."""
    host = check_url_shape(url)
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefused(f"the host {host} does not resolve") from exc
    for info in infos:
        if not _is_public(str(info[4][0])):
            raise TargetRefused(f"{host} is a private, loopback or reserved address")


async def validated_url(url: str, *, allow_private: bool) -> str:
    try:
        await check_target(url, allow_private=allow_private)
    except TargetRefused as exc:
        raise InvalidInput(
            f"url: {exc}", errors=[{"field": "body.url", "message": str(exc)}]
        ) from exc
    return url
