"""Offline API explorers: Swagger UI at /docs and a GraphiQL page, assets served from wheels."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

DOCS_PATH = "/docs"
GRAPHIQL_ASSETS_PREFIX = "/graphiql-assets"

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"

# Swagger UI 5.x (the first line that renders OpenAPI 3.1) as shipped by the `fastapi-swagger`
# wheel; GraphiQL, React and the explorer plugin as shipped by `graphene-django-graphiql-static`.
# Only their files are served; neither package's helpers (FastAPI patching, Django views) run.
_SWAGGER_PACKAGE = "fastapi_swagger.resources"
_GRAPHIQL_PACKAGE = "graphene_django_graphiql_static"
_GRAPHIQL_DIR = "static/graphene_django_graphiql_static"

# The pages carry their settings in a JSON block and load these scripts from the service, so
# the Content-Security-Policy can forbid inline scripts and every origin but the service's own.
_SWAGGER_INIT_JS = """\
(function () {
  var config = JSON.parse(document.getElementById("explorer-config").textContent);
  window.ui = SwaggerUIBundle({
    url: config.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    displayRequestDuration: true,
    filter: true,
    // The default sends the spec URL to validator.swagger.io for a badge: an outside request.
    validatorUrl: null
  });
})();
"""

_GRAPHIQL_INIT_JS = """\
(function () {
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });

  function Explorer() {
    var state = React.useState(undefined);
    var query = state[0];
    var setQuery = state[1];
    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: setQuery });
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      query: query,
      onEditQuery: setQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Headers usually hold bearer tokens; keep them out of localStorage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true
    });
  }

  // The bundled React is 17, which has no createRoot.
  ReactDOM.render(React.createElement(Explorer), document.getElementById("graphiql"));
})();
"""


@dataclass(frozen=True)
class _Asset:
    media_type: str
    load: Callable[[], bytes]


@dataclass(frozen=True)
class _Loaded:
    body: bytes
    etag: str


def _package_file(package: str, path: str) -> Callable[[], bytes]:
    return lambda: files(package).joinpath(path).read_bytes()


def _text(source: str) -> Callable[[], bytes]:
    return lambda: source.encode()


_SWAGGER_ASSETS: Mapping[str, _Asset] = {
    "swagger-ui-bundle.js": _Asset(_JS, _package_file(_SWAGGER_PACKAGE, "swagger-ui-bundle.js")),
    "swagger-ui.css": _Asset(_CSS, _package_file(_SWAGGER_PACKAGE, "swagger-ui.css")),
    "favicon-32x32.png": _Asset("image/png", _package_file(_SWAGGER_PACKAGE, "favicon-32x32.png")),
    "init.js": _Asset(_JS, _text(_SWAGGER_INIT_JS)),
}

_GRAPHIQL_ASSETS: Mapping[str, _Asset] = {
    name: _Asset(media_type, _package_file(_GRAPHIQL_PACKAGE, f"{_GRAPHIQL_DIR}/{file}"))
    for name, media_type, file in (
        ("react.production.min.js", _JS, "react.production.min.js"),
        ("react-dom.production.min.js", _JS, "react-dom.production.min.js"),
        ("graphiql.min.js", _JS, "graphiql.min.js"),
        ("graphiql.min.css", _CSS, "graphiql.min.css"),
        ("plugin-explorer.umd.js", _JS, "graphiql-plugin-explorer.umd.js"),
        ("plugin-explorer.css", _CSS, "style.css"),
    )
} | {"init.js": _Asset(_JS, _text(_GRAPHIQL_INIT_JS))}


@cache
def _loaded(asset: _Asset) -> _Loaded:
    # Read once per process: the files cannot change while it runs.
    body = asset.load()
    return _Loaded(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def _csp(connect_src: str = "'self'") -> str:
    # Inline styles stay allowed because both UIs set style attributes from React.
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; "
        f"connect-src {connect_src}; base-uri 'none'; form-action 'none'"
    )


def _json_for_html(value: Any) -> str:
    # Escaping "<" keeps a value such as "</script>" from ending the JSON block early.
    return json.dumps(value).replace("<", "\\u003c")


def _mount_assets(app: FastAPI, prefix: str, assets: Mapping[str, _Asset]) -> None:
    for asset in assets.values():
        # Fail when the app is built, not on the first browser visit, if a wheel is missing.
        _loaded(asset)

    async def serve_asset(name: str, request: Request) -> Response:
        asset = assets.get(name)
        if asset is None:
            raise HTTPException(status_code=404)
        loaded = _loaded(asset)
        # File names carry no version, so browsers revalidate and get 304 while nothing changed.
        headers = {"ETag": loaded.etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == loaded.etag:
            return Response(status_code=304, headers=headers)
        return Response(loaded.body, media_type=asset.media_type, headers=headers)

    app.add_api_route(
        f"{prefix.rstrip('/')}/{{name}}",
        serve_asset,
        methods=["GET", "HEAD"],
        include_in_schema=False,
    )


def mount_openapi_explorer(app: FastAPI, *, title: str) -> None:
    """Serve Swagger UI at /docs for `app.openapi_url`, with every asset from this service."""
    if app.openapi_url is None:
        raise ValueError("the app has no OpenAPI document to explore (openapi_url is None)")
    openapi_url = app.openapi_url
    assets_prefix = f"{DOCS_PATH}/assets"
    _mount_assets(app, assets_prefix, _SWAGGER_ASSETS)

    async def docs(request: Request) -> HTMLResponse:
        # Behind a proxy that strips a prefix, URLs must carry that prefix back to the browser.
        root = str(request.scope.get("root_path", "")).rstrip("/")
        assets = html.escape(f"{root}{assets_prefix}")
        config = _json_for_html({"openapiUrl": f"{root}{openapi_url}"})
        page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - API explorer</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script id="explorer-config" type="application/json">{config}</script>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/init.js"></script>
</body>
</html>
"""
        return HTMLResponse(page, headers={"Content-Security-Policy": _csp()})

    app.add_api_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)


def mount_graphiql_assets(app: FastAPI, prefix: str = GRAPHIQL_ASSETS_PREFIX) -> None:
    """Serve the files `graphiql_html` pages load, under `prefix`."""
    _mount_assets(app, prefix, _GRAPHIQL_ASSETS)


def graphiql_html(*, endpoint: str, title: str, assets: str = GRAPHIQL_ASSETS_PREFIX) -> str:
    """A GraphiQL page for `endpoint` loading its assets from `assets` (see mount_graphiql_assets).

    The page carries its own Content-Security-Policy, so a browser refuses any load from
    elsewhere whichever response serves it.
    """
    parts = urlsplit(endpoint)
    connect_src = "'self'"
    if parts.scheme and parts.netloc:
        # An absolute endpoint may be another origin; it must still be reachable.
        connect_src += f" {parts.scheme}://{parts.netloc}"
    base = html.escape(assets.rstrip("/"))
    config = _json_for_html({"endpoint": endpoint})
    # The empty data: icon stops browsers asking the service for a /favicon.ico it lacks.
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(_csp(connect_src))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{base}/graphiql.min.css">
<link rel="stylesheet" href="{base}/plugin-explorer.css">
<style>html, body, #graphiql {{ height: 100%; margin: 0; overflow: hidden; }}</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script id="graphiql-config" type="application/json">{config}</script>
<script src="{base}/react.production.min.js"></script>
<script src="{base}/react-dom.production.min.js"></script>
<script src="{base}/graphiql.min.js"></script>
<script src="{base}/plugin-explorer.umd.js"></script>
<script src="{base}/init.js"></script>
</body>
</html>
"""
