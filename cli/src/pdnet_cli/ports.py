"""Which of the ports `pdnet up` needs are already taken, checked before anything starts."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable


def port_is_taken(host: str, port: int) -> bool:
    """True when a server could not bind `host:port` right now.

    Binds the way uvicorn does (SO_REUSEADDR), so a port in TIME_WAIT after a previous run
    counts as free while anything bound or listening on it counts as taken.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return False  # an unknown host fails later with uvicorn's own message
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            # Other failures (an address not on this machine, a privileged port) are not
            # "taken"; uvicorn reports them in its own words.
            return exc.errno == errno.EADDRINUSE
    return False


def taken_ports(host: str, ports: Iterable[int]) -> list[int]:
    return [port for port in ports if port_is_taken(host, port)]
