"""Which service a REST path goes to, when several services' templates could match it."""

from __future__ import annotations

from typing import Any

from gateway.rest_routes import RouteTable


def _document(*templates: str, method: str = "get") -> dict[str, Any]:
    return {"paths": {template: {method: {}} for template in templates}}


TABLE = RouteTable(
    {
        "directory": _document("/v1/centres", "/v1/centres/{centre_id}", "/v1/changes"),
        "events": _document(
            "/v1/events", "/v1/centres/{centre_id}/events.ics", "/v1/changes", "/healthz"
        ),
        "resources": _document("/v1/kits/{kit_id}", "/v1/kits/export"),
    }
)


def test_a_template_with_more_literal_text_wins_over_a_bare_parameter() -> None:
    feed = TABLE.match("GET", "/v1/centres/0b7d/events.ics")
    assert feed is not None and (feed.service, feed.template) == (
        "events",
        "/v1/centres/{centre_id}/events.ics",
    )
    centre = TABLE.match("GET", "/v1/centres/0b7d")
    assert centre is not None and centre.service == "directory"
    export = TABLE.match("GET", "/v1/kits/export")
    assert export is not None and export.template == "/v1/kits/export"
    kit = TABLE.match("GET", "/v1/kits/0b7d")
    assert kit is not None and kit.template == "/v1/kits/{kit_id}"


def test_a_path_several_services_have_names_them_all_and_no_single_owner() -> None:
    match = TABLE.match("GET", "/v1/changes")
    assert match is not None
    assert match.service is None
    assert sorted(match.services) == ["directory", "events"]
    own = TABLE.match("GET", "/v1/changes", service="events")
    assert own is not None and own.service == "events"


def test_only_v1_paths_route_and_unknown_ones_match_nothing() -> None:
    assert TABLE.match("GET", "/healthz") is None
    assert TABLE.match("GET", "/v1/nothing") is None
    assert TABLE.match("GET", "/v1/centres/a/b/c") is None


def test_an_undeclared_method_still_goes_to_the_owner_which_answers_405() -> None:
    match = TABLE.match("DELETE", "/v1/events")
    assert match is not None and match.service == "events"
