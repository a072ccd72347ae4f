"""deploy/: the compose file is valid for Debian's docker-compose, and the deployment files say what the project does.

Images cannot be pulled or built here, so nothing is started: these tests hold the
files against the project's own settings (one fact, one place).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.paths import ROOT
from scripts.serving.scale import deploy_nginx_conf, nginx_conf
from storage.tracker_store import ENV_PREFIX, SETTINGS

DEPLOY = ROOT / "deploy"


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def pinned(package: str) -> str:
    """The version of `package` in requirements.txt."""
    match = re.search(rf"^{re.escape(package)}(\[[^]]*\])?==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
    assert match, f"{package} is not pinned in requirements.txt"
    return match.group(2)


@pytest.fixture(scope="module")
def compose() -> dict:
    """deploy/docker-compose.yml as `docker-compose config` resolves it with deploy/example.env."""
    command = shutil.which("docker-compose")
    if command is None:
        pytest.fail("Debian's docker-compose is missing; install it with scripts/serving/servers.sh")
    result = subprocess.run([command, "--env-file", "example.env", "config"], cwd=DEPLOY, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_compose_file_refuses_to_start_without_its_secrets():
    result = subprocess.run([shutil.which("docker-compose") or "docker-compose", "config"], cwd=DEPLOY,
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode != 0 and "set POSTGRES_PASSWORD" in result.stderr


def test_compose_runs_the_official_images_at_the_project_versions(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "rasa", "action-server", "nginx"}
    assert f"FROM rasa/rasa:{pinned('rasa')}\n" in (DEPLOY / "rasa.Dockerfile").read_text()
    assert f"FROM rasa/rasa-sdk:{pinned('rasa-sdk')}\n" in (DEPLOY / "actions.Dockerfile").read_text()
    for name, dockerfile in (("rasa", "deploy/rasa.Dockerfile"), ("action-server", "deploy/actions.Dockerfile")):
        assert services[name]["build"] == {"context": str(ROOT), "dockerfile": dockerfile}
        assert services[name]["deploy"]["replicas"] >= 2
    assert [port["target"] for port in services["nginx"]["ports"]] == [8080]  # the only published port
    assert all("ports" not in services[name] for name in ("postgres", "redis", "rasa", "action-server"))
    assert {".venv", "models", "deploy/.env", "*.db"} <= set((ROOT / ".dockerignore").read_text().split())


def test_compose_gives_the_rasa_servers_the_stores_and_the_secrets_from_the_environment(compose):
    env = compose["services"]["rasa"]["environment"]
    assert {key for key in env if key.startswith(ENV_PREFIX)} == {ENV_PREFIX + key.upper() for key in SETTINGS}
    assert env["TRACKER_STORE_HOST"] == "postgres" and env["LOCK_STORE_URL"] == "redis"
    assert env["TRACKER_STORE_PASSWORD"] == compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert env["ACTION_SERVER_TOKEN"] == compose["services"]["action-server"]["environment"]["ACTION_SERVER_TOKEN"]
    assert env["ACTION_SERVER_URL"] == "http://nginx:5056/webhook"
    assert all(value.startswith("CHANGE") for key, value in load_env().items() if "PASSWORD" in key or "TOKEN" in key)


def load_env() -> dict:
    lines = (DEPLOY / "example.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_containers_use_the_projects_tracker_store_and_lock_store():
    project, containers = load(ROOT / "endpoints.yml"), load(DEPLOY / "endpoints.yml")
    assert containers["tracker_store"] == project["tracker_store"]
    assert containers["lock_store"] == project["lock_store"]
    assert containers["action_endpoint"] == {"url": "${ACTION_SERVER_URL}", "token": "${ACTION_SERVER_TOKEN}"}
    helm = load(DEPLOY / "helm" / "rasa.values.yaml")["applicationSettings"]
    assert helm["endpoints"]["trackerStore"]["type"] == project["tracker_store"]["type"]
    assert helm["endpoints"]["lockStore"]["type"] == project["lock_store"]["type"]
    channels = {name: settings or {} for name, settings in load(ROOT / "credentials.yml").items()}
    assert helm["credentials"]["additionalChannelCredentials"] == channels  # Helm drops null values


def test_deploy_nginx_conf_is_the_balancer_of_make_scale():
    assert (DEPLOY / "nginx.conf").read_text() == deploy_nginx_conf(), (
        "regenerate it: .venv/bin/python -c 'from scripts.serving.scale import deploy_nginx_conf; "
        "print(deploy_nginx_conf(), end=\"\")' > deploy/nginx.conf")


def test_the_balancer_config_is_valid_for_debians_nginx(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.fail("Debian's nginx is missing; install it with scripts/serving/servers.sh")
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf("127.0.0.1:1", "127.0.0.1:2", ["127.0.0.1:3", "127.0.0.1:4"], ["127.0.0.1:5"],
                               str(tmp_path)))
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "ip_hash;" in conf.read_text().split("upstream rasa_socketio")[1].split("}")[0]


def test_every_rasa_server_gets_one_tensorflow_thread_per_pool_unless_the_environment_says_otherwise(monkeypatch):
    from scripts.serving.services import TF_THREADS, rasa_server

    for name in TF_THREADS:
        monkeypatch.delenv(name, raising=False)
    assert all(rasa_server(Path("m.tar.gz")).env[name] == "1" for name in TF_THREADS)  # make run, scale, bench
    monkeypatch.setenv("TF_INTRA_OP_PARALLELISM_THREADS", "2")
    assert "TF_INTRA_OP_PARALLELISM_THREADS" not in rasa_server(Path("m.tar.gz")).env  # the operator's value stays
    dockerfile = (DEPLOY / "rasa.Dockerfile").read_text()  # the images, compose and the Helm chart
    assert all(f"{name}=1" in dockerfile for name in TF_THREADS)
