"""The subgraph sets the composition tests run on, and one batched run of Apollo's side of the
comparison: Apollo's composition of each set, and the API schema Apollo Gateway serves for
Apollo's supergraph and for ours."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import build_schema, lexicographic_sort_schema, print_schema

from gateway.composition import SubgraphDefinition
from shared.node_peers import ensure_peers_installed, node_executable

HERE = Path(__file__).parent
COMPOSING = HERE / "cases"
BROKEN = HERE / "broken"
# Sets whose supergraph Apollo Router serves but @apollo/gateway refuses (security features).
ROUTER_ONLY = HERE / "router-only"


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    subgraphs: list[SubgraphDefinition]
    # Our supergraph SDL, for Apollo Gateway to load; None to only compose with Apollo.
    supergraph: str | None = None


def load_case(directory: Path) -> list[SubgraphDefinition]:
    """One subgraph per `<name>.graphql` file, named after the file."""
    return [
        SubgraphDefinition(path.stem, f"http://{path.stem}.example/graphql", path.read_text())
        for path in sorted(directory.glob("*.graphql"))
    ]


def case_names(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir() if path.is_dir())


def run_apollo(cases: list[Case], peers_dir: Path) -> dict[str, dict[str, Any]]:
    """Every case through one Node process (`tests/peers/api-schema.mjs`), by case id."""
    ensure_peers_installed(peers_dir)
    payload = {
        "cases": [
            {
                "id": case.id,
                "subgraphs": [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in case.subgraphs],
                "supergraphSdl": case.supergraph,
            }
            for case in cases
        ]
    }
    node = node_executable()
    env = dict(os.environ, PATH=os.pathsep.join([str(node.parent), os.environ.get("PATH", "")]))
    proc = subprocess.run(
        [str(node), str(peers_dir / "api-schema.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return {result["id"]: result for result in json.loads(proc.stdout)["results"]}


def sorted_schema(sdl: str) -> str:
    """The schema printed with types, fields, arguments and values in name order."""
    return print_schema(lexicographic_sort_schema(build_schema(sdl)))
