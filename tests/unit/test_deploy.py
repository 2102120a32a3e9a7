"""deploy/ checked without a cluster or a Docker daemon, with the tools in requirements-dev.lock:
kubernetes-validate (Kubernetes' schemas, bundled) on deploy/k8s/, the Compose schema
(deploy/schemas/, with the jsonschema Rasa brings) on deploy/docker-compose.yml, hadolint on
deploy/Dockerfile, and `nginx -t` on deploy/nginx/nginx.conf where nginx is installed. Each
validator is also shown a broken copy, which it must reject. Then: no secret value in deploy/,
and every environment variable the files set is one the project reads."""
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
NGINX_CONF = DEPLOY / "nginx" / "nginx.conf"
SCHEMA = DEPLOY / "schemas" / "compose-spec.json"
K8S = sorted((DEPLOY / "k8s").glob("*.yaml"))
BIN = Path(sys.executable).parent
# The oldest Kubernetes the manifests are checked against (the newest kubernetes-validate
# can bundle here: later releases need a jsonschema that Rasa 3.6 does not allow).
K8S_VERSION = "1.28.0"


def run(*command, cwd=ROOT):
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=120)


def kubernetes_validate(*files):
    """Whether every resource in the files passed, and the tool's report. A kind it has no schema
    for is only a warning to the tool, and a failure here."""
    result = run(sys.executable, "-m", "kubernetes_validate", "--strict", "-k", K8S_VERSION, *files)
    report = result.stdout + result.stderr
    return result.returncode == 0 and "WARN" not in report and "ERROR" not in report, report


def compose_errors(document):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]


def k8s_documents():
    for path in K8S:
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document:
                yield path, document


def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


# --- the validators, on the real files and on broken copies --------------------------------

def test_kubernetes_manifests_validate():
    assert K8S, "no manifests in deploy/k8s/"
    passed, report = kubernetes_validate(*K8S)
    assert passed, report
    assert report.count("passed") == sum(1 for _ in k8s_documents())


@pytest.mark.parametrize("bad, good", [
    ("containerPort: 5005}", "containerPort: 5005, hostPortt: 80}"),  # a misspelt field (--strict)
    ("replicas: 2", "replicas: two"),                                  # a wrong type
    ("kind: Deployment", "kind: Deploymnet"),                          # no such kind
])
def test_kubernetes_validate_rejects_a_broken_manifest(tmp_path, bad, good):
    text = (DEPLOY / "k8s" / "rasa.yaml").read_text(encoding="utf-8")
    assert bad in text
    broken = tmp_path / "rasa.yaml"
    broken.write_text(text.replace(bad, good, 1), encoding="utf-8")
    passed, report = kubernetes_validate(broken)
    assert not passed, report


def test_compose_file_matches_the_compose_spec():
    assert compose_errors(compose()) == []


@pytest.mark.parametrize("service, key, value, where", [
    ("rasa", "deploy", {"replica": 2}, "services/rasa/deploy"),              # misspelt
    ("postgres", "depends_on", 5, "services/postgres/depends_on"),           # not a list or a map
    ("balancer", "healthcheck", {"test": 5}, "services/balancer/healthcheck"),  # not a command
])
def test_the_compose_schema_rejects_a_broken_file(service, key, value, where):
    broken = compose()
    broken["services"][service][key] = value
    errors = compose_errors(broken)
    assert any(e.startswith(where) for e in errors), errors


def test_the_compose_schema_is_the_copy_its_readme_names():
    readme = (DEPLOY / "schemas" / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() in readme
    assert (DEPLOY / "schemas" / "LICENSE.compose-spec").exists()


def hadolint(path):
    tool = BIN / "hadolint"
    if not tool.exists():
        pytest.fail("hadolint missing from .venv: it is pinned in requirements-dev.lock (make install)")
    return run(tool, "--no-color", path)


def test_dockerfile_passes_hadolint():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_rejects_a_broken_dockerfile(tmp_path):
    broken = tmp_path / "Dockerfile"
    # An unpinned base image, and root: the image runs as a named user.
    broken.write_text(DOCKERFILE.read_text(encoding="utf-8").replace("FROM python:3.10-slim", "FROM python")
                      .replace("USER 10001:10001", "USER root"), encoding="utf-8")
    result = hadolint(broken)
    assert result.returncode != 0
    assert "DL3006" in result.stdout and "DL3002" in result.stdout, result.stdout


def nginx_t(conf, tmp_path):
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None:
        pytest.skip("nginx is not installed: `apt-get install -y nginx` to check deploy/nginx/nginx.conf")
    # nginx -t resolves upstream host names: compose's service names become this machine.
    text = re.sub(r"server (rasa|widget):", "server 127.0.0.1:", conf.read_text(encoding="utf-8"))
    copy = tmp_path / "nginx.conf"
    copy.write_text(text, encoding="utf-8")
    return run(nginx, "-t", "-c", copy, "-p", tmp_path)


def test_nginx_config_passes_nginx_t(tmp_path):
    result = nginx_t(NGINX_CONF, tmp_path)
    assert result.returncode == 0, result.stderr


def test_nginx_t_rejects_a_broken_config(tmp_path):
    broken = tmp_path / "broken.conf"
    broken.write_text(NGINX_CONF.read_text(encoding="utf-8").replace("hash $binary_remote_addr consistent;",
                                                                   "hash_by $binary_remote_addr;"), encoding="utf-8")
    result = nginx_t(broken, tmp_path)
    assert result.returncode != 0 and "hash_by" in result.stderr


# --- what the files promise -----------------------------------------------------------------

def test_only_the_balancer_publishes_a_port():
    services = compose()["services"]
    assert [name for name, s in services.items() if s.get("ports")] == ["balancer"]


def test_the_balancer_is_round_robin_for_rest_and_sticky_for_socketio():
    text = NGINX_CONF.read_text(encoding="utf-8")
    rest = re.search(r"upstream rasa_rest \{(.*?)\}", text, re.S).group(1)
    sticky = re.search(r"upstream rasa_socketio \{(.*?)\}", text, re.S).group(1)
    assert "hash" not in rest and "ip_hash" not in rest
    assert "hash $binary_remote_addr consistent;" in sticky
    socketio = re.search(r"location /socket\.io/ \{(.*?)\}", text, re.S).group(1)
    assert "proxy_pass http://rasa_socketio;" in socketio and "Upgrade $http_upgrade" in socketio
    assert "proxy_pass http://rasa_rest;" in re.search(r"location /webhooks/ \{(.*?)\}", text, re.S).group(1)
    ingress = {d["metadata"]["name"]: d for _, d in k8s_documents() if d["kind"] == "Ingress"}
    assert "upstream-hash-by" in str(ingress["imago-socketio"]["metadata"]["annotations"])
    assert "upstream-hash-by" not in str(ingress["imago-rest"]["metadata"].get("annotations"))


def test_the_image_finds_the_action_server_by_action_host(tmp_path):
    """The Dockerfile's sed on endpoints.yml changes the action server's URL and nothing else."""
    command = re.search(r"RUN (sed -i '[^']+' endpoints\.yml)", DOCKERFILE.read_text(encoding="utf-8")).group(1)
    copy = tmp_path / "endpoints.yml"
    shutil.copy(ROOT / "endpoints.yml", copy)
    subprocess.run(command, shell=True, cwd=tmp_path, check=True)
    before = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    after = yaml.safe_load(copy.read_text(encoding="utf-8"))
    assert after["action_endpoint"]["url"] == "http://${ACTION_HOST}:${ACTION_PORT}/webhook"
    assert {k: v for k, v in after.items() if k != "action_endpoint"} == \
        {k: v for k, v in before.items() if k != "action_endpoint"}


def test_the_images_commands_are_the_projects():
    """The Rasa server through the launcher (the admin API guarded), the actions as serve.sh runs them."""
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert '"python", "-m", "scripts.serve.rasa_server", "run"' in dockerfile
    actions = ["rasa", "run", "actions", "--actions", "actions", "--port", "5055"]
    assert compose()["services"]["actions"]["command"] == actions
    deployment = next(d for _, d in k8s_documents() if d["metadata"]["name"] == "imago-actions")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["command"] == actions
    for text in [COMPOSE.read_text(encoding="utf-8"), *(p.read_text(encoding="utf-8") for p in K8S)]:
        assert "--enable-api" not in text and "--auth-token" not in text


# --- no secret in deploy/, and no setting the project doesn't read --------------------------

# Store URLs are checked by URL_PASSWORD: a Redis URL without a password is no secret.
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|_SID$|_KEY$")
# A password written into a URL: scheme://user:password@host, unless it is ${...}.
URL_PASSWORD = re.compile(r"[a-z0-9+]+://[^\s/:@]*:(?!\$\{)[^\s/@]+@")


def secret_values(environment):
    """The names in a compose environment map whose value is a written secret, not ${...} or empty."""
    return [name for name, value in environment.items()
            if SECRET_NAME.search(name) and str(value or "").strip()
            and not re.fullmatch(r"(.*\$\{[A-Z0-9_]+(:[-?][^}]*)?\}.*|/run/secrets/[\w.-]+)", str(value))]


def test_the_secret_check_catches_a_written_secret():
    assert secret_values({"SLACK_BOT_TOKEN": "xoxb-123", "RASA_API_TOKEN": "${RASA_API_TOKEN:-}",
                          "TRACKER_STORE_URL": "postgresql://imago:${POSTGRES_PASSWORD:?x}@postgres/imago",
                          "POSTGRES_PASSWORD_FILE": "/run/secrets/postgres_password"}) == ["SLACK_BOT_TOKEN"]
    assert URL_PASSWORD.search("postgresql://imago:hunter2@db:5432/imago")
    assert not URL_PASSWORD.search("postgresql://imago:${POSTGRES_PASSWORD}@db:5432/imago")


def test_no_secret_value_is_written_in_deploy():
    for name, service in compose()["services"].items():
        assert secret_values(service.get("environment") or {}) == [], name
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.suffix != ".json" and not path.name.startswith("LICENSE"):
            text = path.read_text(encoding="utf-8")
            assert not URL_PASSWORD.search(text), f"{path}: a password in a URL"
            assert "PRIVATE KEY" not in text, path
    for path, document in k8s_documents():
        # Secrets are referenced (secretKeyRef), never written: no Secret objects here.
        assert document["kind"] != "Secret", f"{path}: a Secret with values"
        if document["kind"] == "ConfigMap":
            assert not [k for k in document["data"] if SECRET_NAME.search(k)], path
        for container in containers(document):
            for variable in container.get("env", []):
                if SECRET_NAME.search(variable["name"]) or variable["name"].endswith("STORE_URL"):
                    assert "value" not in variable and "secretKeyRef" in variable["valueFrom"], variable


def containers(document):
    return document.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])


def names_set():
    """Every environment variable deploy/ sets, with where."""
    names = {}
    for service, settings in compose()["services"].items():
        for name in settings.get("environment") or {}:
            names.setdefault(name, f"docker-compose.yml ({service})")
    for path, document in k8s_documents():
        if document["kind"] == "ConfigMap":
            for name in document["data"]:
                names.setdefault(name, path.name)
        for container in containers(document):
            for variable in container.get("env", []):
                names.setdefault(variable["name"], path.name)
    for line in re.findall(r"^ENV (.*?)(?<!\\)$", DOCKERFILE.read_text(encoding="utf-8"), re.M | re.S):
        for name in re.findall(r"([A-Z][A-Z0-9_]*)=", line):
            names.setdefault(name, "Dockerfile")
    return names


# Read by Python, pip or the shell, not by the project.
RUNTIME_NAMES = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPATH", "PIP_NO_CACHE_DIR",
                 "PIP_DISABLE_PIP_VERSION_CHECK", "HOME"}
# The images' own settings, read by their entrypoints.
IMAGE_NAMES = {"postgres": {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD_FILE"}}
# Read by Rasa itself (the SQL tracker store's connection pool): checked in the installed Rasa below.
RASA_NAMES = {"SQL_POOL_SIZE", "SQL_MAX_OVERFLOW"}


def test_the_names_rasa_reads_are_in_the_installed_rasa():
    import rasa.core.constants
    source = Path(rasa.core.constants.__file__).read_text(encoding="utf-8")
    assert all(f'"{name}"' in source for name in RASA_NAMES), RASA_NAMES


def project_sources():
    """The text of the project's code and configuration (not deploy/, tests or docs), with
    endpoints.yml as the image has it (ACTION_HOST)."""
    tracked = run("git", "ls-files").stdout.split()
    texts = []
    for name in tracked:
        if name.startswith(("deploy/", "tests/", "docs/")) or not (name.endswith((".py", ".sh", ".yml"))
                                                                   or name == "Makefile"):
            continue
        path = ROOT / name
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    texts.append("${ACTION_HOST}")  # endpoints.yml in the image (test_the_image_finds_the_action_server...)
    return "\n".join(texts)


def test_every_variable_deploy_sets_is_one_the_project_reads():
    """A renamed setting must not leave deploy/ setting a name nothing reads."""
    sources = project_sources()
    ignored = RUNTIME_NAMES | IMAGE_NAMES["postgres"] | RASA_NAMES
    unread = {name: where for name, where in names_set().items()
              if name not in ignored and not re.search(rf"\b{name}\b", sources)}
    assert unread == {}, f"set in deploy/ but read nowhere in the project: {unread}"


def test_the_name_check_sees_every_file():
    names = names_set()
    assert names["TRACKER_STORE_URL"].startswith("docker-compose.yml")
    assert names["ACTION_HOST"] == "docker-compose.yml (rasa)"
    assert names["TRUSTED_PROXIES"].startswith("docker-compose.yml")
    assert names["SOCKETIO_ORIGINS"].startswith("docker-compose.yml")
    assert names["TRACKER_DB"] == "Dockerfile"
    assert names["BOTFRAMEWORK_TENANT_ID"]
    assert {"POSTGRES_DB", "LOCK_STORE_URL", "RASA_WORKERS"} <= set(names)
    k8s_only = {n for n, where in names.items() if where.endswith(".yaml")}
    assert k8s_only == set(), k8s_only  # compose and Kubernetes set the same settings
