"""Headers that describe one connection stay on it; everything else passes through the proxy."""

from __future__ import annotations

from gateway.rest_proxy import end_to_end


def test_hop_by_hop_headers_and_those_connection_names_are_dropped() -> None:
    headers = [
        ("Connection", "keep-alive, X-Session-Hint"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("X-Session-Hint", "abc"),
        ("Upgrade", "h2c"),
        ("Proxy-Authorization", "Basic Zm9v"),
        ("Authorization", "Bearer t"),
        ("ETag", '"3"'),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    assert end_to_end(headers, drop=("etag",)) == [
        ("Authorization", "Bearer t"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
