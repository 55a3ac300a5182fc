"""The Kubernetes layouts: valid against the API schemas, and complete for every process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from shared.stack import find_repo_root, load_stack
from tests.deploy.kustomization import Manifest, render

ROOT = find_repo_root(Path(__file__))
K8S = ROOT / "deploy" / "k8s"
LAYOUTS = ["base", "overlays/cloudnativepg", "overlays/external-postgres"]
KUBERNETES_VERSION = "1.31"
"""The oldest Kubernetes the manifests promise to work on (the preStop `sleep` action is GA)."""

SERVICES = {spec.name: spec.port for spec in load_stack(ROOT)}
PROCESSES = {**SERVICES, "gateway": 8000}
CNPG = "postgresql.cnpg.io/v1"


def rendered(layout: str) -> list[Manifest]:
    return render(K8S / layout)


def of_kind(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def containers(manifest: Manifest) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = manifest["spec"]["template"]["spec"]["containers"]
    return result


def env_names(container: dict[str, Any]) -> Iterator[str]:
    return (entry["name"] for entry in container.get("env", []))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_manifest_is_valid_against_the_kubernetes_api_schemas(layout: str) -> None:
    manifests = rendered(layout)
    built_in = [m for m in manifests if m["apiVersion"] != CNPG]
    assert len(built_in) > 20
    for manifest in built_in:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_a_broken_manifest_is_refused_by_the_validation() -> None:
    deployment = of_kind(rendered("base"), "Deployment")["directory"]
    containers(deployment)[0]["readinessProbe"]["periodSecond"] = 5  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_every_process_runs_with_probes_limits_autoscaling_and_a_disruption_budget(
    process: str,
) -> None:
    manifests = rendered("overlays/cloudnativepg")
    deployment = of_kind(manifests, "Deployment")[process]
    (container,) = containers(deployment)
    assert container["args"] == ["serve", process]
    assert container["image"].startswith("ghcr.io/pdnet/pdnet:")
    assert container["ports"][0]["containerPort"] == PROCESSES[process]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    # preStop and the graceful shutdown of in-flight requests both fit in the grace period.
    assert pod["terminationGracePeriodSeconds"] >= 5 + 25
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"

    autoscaler = of_kind(manifests, "HorizontalPodAutoscaler")[process]
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": process,
    }
    assert autoscaler["spec"]["minReplicas"] >= 2
    budget = of_kind(manifests, "PodDisruptionBudget")[process]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    service = of_kind(manifests, "Service")[process]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["port"] == PROCESSES[process]


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_service_reaches_only_its_own_database_and_is_migrated_by_the_job(
    service: str,
) -> None:
    manifests = rendered("overlays/cloudnativepg")
    prefix = service.upper()
    (container,) = containers(of_kind(manifests, "Deployment")[service])
    env = {entry["name"]: entry for entry in container["env"]}
    url = env[f"{prefix}_DATABASE_URL"]["value"]
    assert url.startswith("postgresql+asyncpg://") and url.endswith(f"/{service}")
    secret = env[f"{prefix}_DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
    assert secret == f"{service}-db-app"

    (migrate,) = containers(of_kind(manifests, "Job")["pdnet-migrate"])
    assert migrate["args"] == ["migrate", "all"]
    assert f"{prefix}_DATABASE_URL" in set(env_names(migrate))

    # CloudNativePG makes the database, its owner and the Secret the pods read.
    cluster = of_kind(manifests, "Cluster")[f"{service}-db"]
    assert cluster["spec"]["bootstrap"]["initdb"] == {"database": service, "owner": service}
    hosts = of_kind(manifests, "ConfigMap")["pdnet-databases"]["data"]
    pooler = of_kind(manifests, "Pooler")[hosts[f"{prefix}_DB_HOST"]]
    assert pooler["spec"]["cluster"]["name"] == f"{service}-db"
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    assert hosts[f"{prefix}_DB_PRIMARY_HOST"] == f"{service}-db-rw"
    settings = of_kind(manifests, "ConfigMap")[f"{service}-config"]["data"]
    assert settings[f"{prefix}_DB_STATEMENT_CACHE_SIZE"] == "0", "PgBouncer transaction pooling"


def test_the_external_postgres_layout_points_every_service_at_the_given_server() -> None:
    manifests = rendered("overlays/external-postgres")
    assert not of_kind(manifests, "Cluster")
    hosts = of_kind(manifests, "ConfigMap")["pdnet-databases"]["data"]
    for service in SERVICES:
        assert "pooler" not in hosts[f"{service.upper()}_DB_HOST"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_credentials_are_committed_in_the_manifests(layout: str) -> None:
    manifests = rendered(layout)
    assert not of_kind(manifests, "Secret")
    for deployment in [
        *of_kind(manifests, "Deployment").values(),
        *of_kind(manifests, "Job").values(),
    ]:
        for container in containers(deployment):
            for entry in container.get("env", []):
                if "PASSWORD" in entry["name"] or "TOKEN" in entry["name"]:
                    assert "value" not in entry, entry["name"]


def test_the_ingress_sends_everyone_to_the_gateway_only() -> None:
    manifests = rendered("overlays/cloudnativepg")
    (ingress,) = of_kind(manifests, "Ingress").values()
    backends = {
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}
    assert ingress["spec"]["rules"][0]["host"] == ingress["spec"]["tls"][0]["hosts"][0]
    assert all(
        m["metadata"].get("namespace") == "pdnet" for m in manifests if m["kind"] != "Namespace"
    )
