"""Optimistic concurrency: a record's version is its ETag, `If-Match` guards every update."""

from __future__ import annotations

from shared.problems import PreconditionFailed


def etag_for(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """No header means "overwrite whatever is there"; a stale one means 412 and no change."""
    if if_match is None or if_match.strip() == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if etag_for(version) not in tags:
        raise PreconditionFailed(
            f"The record changed since you read it (now at version {version}); "
            "fetch it again and reapply your change.",
            current_etag=etag_for(version),
        )
