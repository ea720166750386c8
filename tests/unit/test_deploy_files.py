"""The deployment files validate statically (no Docker or Kubernetes runs on these machines).

- ops/compose/docker-compose.yml: parsed by PyYAML and by `compose-spec` (a validating Compose
  Specification parser, PyPI), plus our own checks: every service we need, PgBouncer in session mode,
  one beat, a worker per queue, dependencies that exist.
- ops/k8s/*.yaml: validated against the Kubernetes OpenAPI schemas shipped in the `kubernetes-validate`
  package (strict: unknown fields fail), plus probes, HPAs, PDBs and the migration Job.
- ops/compose/Caddyfile: `caddy validate` when caddy is installed (make smoke installs it).
- ops/docker/Dockerfile: multi-stage, non-root, locked dependencies without the dev group.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops"
QUEUES = ("interactive", "knowledge", "analytics", "notifications")


def _example_env() -> dict[str, str]:
    lines = (OPS / "compose" / "env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, as `docker compose config` resolves them."""
    import re

    def value(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if env.get(name):
            return env[name]
        if op.endswith("?"):
            raise AssertionError(f"{name} is required: {rest}")
        return rest if op.endswith("-") else ""

    return re.sub(r"\$\{(\w+)(:?[-?])?([^}]*)\}", value, text)


def _compose() -> dict:
    text = (OPS / "compose" / "docker-compose.yml").read_text()
    return yaml.safe_load(_interpolate(text, _example_env()))


def test_compose_file_is_valid_compose_spec():
    # PyYAML resolves the `<<: *app` merge keys (as docker compose does); compose-spec then validates.
    import json

    from compose_spec import PyCompose

    parsed = PyCompose.from_json(json.dumps(_compose()))
    assert set(parsed.service_names()) == set(_compose()["services"])


def test_compose_has_every_service_and_sane_wiring():
    services = _compose()["services"]
    expected = {"postgres", "pgbouncer", "valkey", "migrate", "web", "beat", "caddy",
                *(f"worker-{q}" for q in QUEUES)}
    assert expected <= set(services)
    assert "pgvector" in services["postgres"]["image"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "session"
    assert "gunicorn" in services["web"]["command"]
    for queue in QUEUES:
        command = services[f"worker-{queue}"]["command"]
        assert command[command.index("-Q") + 1] == queue
    assert services["beat"]["deploy"]["replicas"] == 1
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert set(depends) <= set(services), f"{name} depends on a missing service"
    web_env = services["web"]["environment"]
    assert web_env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert "@pgbouncer:6432/" in web_env["DATABASE_URL"]
    assert web_env["SHORELINE_SCHEME"] == "https"
    # SEC-9: web and workers run as the restricted role and never hold the owner's password; only the
    # migrate service runs as the owner, and it (re)creates the app role after migrating.
    for name in ("web", "beat", *(f"worker-{q}" for q in QUEUES)):
        env = services[name]["environment"]
        assert env["DATABASE_APP_USER"] == "shoreline_app"
        assert env["DATABASE_URL"].startswith("postgres://shoreline_app:")
        assert "SHORELINE_DB_ROLE" not in env
    migrate_env = services["migrate"]["environment"]
    assert migrate_env["SHORELINE_DB_ROLE"] == "owner"
    assert migrate_env["DATABASE_URL"].startswith("postgres://shoreline:")
    assert migrate_env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert "manage.py db_app_role" in services["migrate"]["command"][-1]
    assert services["pgbouncer"]["environment"]["AUTH_USER"] == "shoreline"


def test_caddyfile_asks_before_on_demand_tls():
    text = (OPS / "compose" / "Caddyfile").read_text()
    assert "ask http://web:8000/tls/ask" in text
    assert "*.{$SHORELINE_DOMAIN}" in text
    assert "on_demand" in text


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (make smoke installs it)")
def test_caddyfile_validates_with_caddy(tmp_path):
    env = {**os.environ, "SHORELINE_DOMAIN": "shoreline.example.com", "ACME_EMAIL": "ops@example.com",
           "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run(["caddy", "validate", "--adapter", "caddyfile", "--config",
                             str(OPS / "compose" / "Caddyfile")], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr


def _k8s_docs() -> list[tuple[Path, dict]]:
    docs = []
    for path in sorted((OPS / "k8s").glob("*.yaml")):
        docs.extend((path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def test_k8s_manifests_validate_against_the_kubernetes_schemas():
    import kubernetes_validate

    docs = _k8s_docs()
    assert len(docs) >= 15
    for path, doc in docs:
        try:
            kubernetes_validate.validate(doc, "1.33.0", strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.name} {doc['kind']}/{doc['metadata']['name']}: {error.message}")


def test_k8s_has_probes_migration_job_hpas_and_pdbs():
    by_kind: dict[str, dict[str, dict]] = {}
    for _path, doc in _k8s_docs():
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    web = by_kind["Deployment"]["shoreline-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for queue in QUEUES:
        worker = by_kind["Deployment"][f"shoreline-worker-{queue}"]
        assert "livenessProbe" in worker["spec"]["template"]["spec"]["containers"][0]
        assert f"shoreline-worker-{queue}" in by_kind["HorizontalPodAutoscaler"]
        assert f"shoreline-worker-{queue}" in by_kind["PodDisruptionBudget"]
    assert "shoreline-web" in by_kind["HorizontalPodAutoscaler"]
    assert "shoreline-web" in by_kind["PodDisruptionBudget"]
    assert by_kind["Deployment"]["shoreline-beat"]["spec"]["replicas"] == 1
    job = by_kind["Job"]["shoreline-migrate"]["spec"]["template"]["spec"]["containers"][0]
    assert "migrate_schemas --shared" in " ".join(job["command"])
    # SEC-9: the Job runs as the owner (its Secret last, so its keys win) and grants the app role;
    # everything else gets only the app role's Secret.
    assert "manage.py db_app_role" in " ".join(job["command"])
    assert job["envFrom"][-1] == {"secretRef": {"name": "shoreline-migrate"}}
    owner = by_kind["Secret"]["shoreline-migrate"]["stringData"]
    assert owner["SHORELINE_DB_ROLE"] == "owner"
    app = by_kind["Secret"]["shoreline"]["stringData"]
    assert app["DATABASE_APP_USER"] == "shoreline_app"
    assert app["DATABASE_URL"].startswith("postgres://shoreline_app:")
    for deployment in by_kind["Deployment"].values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert {"secretRef": {"name": "shoreline-migrate"}} not in container.get("envFrom", [])
    for deployment in by_kind["Deployment"].values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["securityContext"]["runAsNonRoot"] is True


def test_dockerfile_is_multi_stage_non_root_and_locked():
    text = (OPS / "docker" / "Dockerfile").read_text()
    assert text.count("\nFROM ") >= 2
    assert "uv sync --frozen --no-dev" in text
    assert "USER 10001" in text
    assert "SHORELINE_REQUIRE_SETTINGS_MODULE=1" in text
    assert "frontend.assets all" in text
    assert "collectstatic" in text
    runtime = text.split("AS runtime", 1)[1]
    for tool in ("build-essential", "gcc", "pytest", "npm install"):
        assert tool not in runtime
