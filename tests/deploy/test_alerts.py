"""The alerting rules read only metrics the processes really export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import EngineDatabase
from shared.metrics import install_metrics
from shared.stack import find_repo_root

RULES = find_repo_root(Path(__file__)) / "deploy" / "prometheus" / "alerts.yaml"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


async def exported_series_names() -> set[str]:
    app = FastAPI()
    metrics = install_metrics(app, service="probe")
    # A pool that never connects: enough for the pool gauges to be described.
    engine = create_async_engine("postgresql+asyncpg://probe@127.0.0.1:9/probe")
    app.state.db = EngineDatabase(engine)
    try:
        return {
            family.name + suffix
            for family in metrics.registry.collect()
            for suffix in SUFFIXES.get(family.type, ("",))
        }
    finally:
        await engine.dispose()


def rules() -> list[dict[str, Any]]:
    loaded: dict[str, Any] = yaml.safe_load(RULES.read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


async def test_every_alert_reads_metrics_that_exist_and_says_what_is_wrong() -> None:
    exported = await exported_series_names()
    assert "pdnet_db_pool_checked_out" in exported and "pdnet_http_requests_total" in exported
    for rule in rules():
        used = set(re.findall(r"\bpdnet_[a-z_]+", rule["expr"]))
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} reads {sorted(used - exported)}"
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]
