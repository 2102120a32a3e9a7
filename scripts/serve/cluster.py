"""`make run-cluster`: RASA_REPLICAS Rasa replicas behind nginx, on shared PostgreSQL and Redis.

    RASA_REPLICAS=2 RASA_PORT=5005 python -m scripts.serve.cluster

  - nginx (Debian's, scripts/serve/install_nginx.sh) on RASA_HOST:RASA_PORT, config from
    scripts/serve/nginx.conf.template written to .state/cluster/: round-robin for REST and the
    webhooks, sticky by client address for Socket.IO;
  - the replicas on 127.0.0.1:RASA_PORT+1 ... RASA_PORT+N, each `scripts/serve/rasa_server.py` as
    `make run` starts it, with TRUSTED_PROXIES=127.0.0.1 (the balancer) and the shared stores:
    TRACKER_STORE_URL (default DEFAULT_TRACKER_STORE_URL, the database created when missing) and
    LOCK_STORE_URL (default DEFAULT_LOCK_STORE_URL), passed in the environment, never on a command line;
  - one action server on 127.0.0.1:ACTION_PORT and the widget demo on WEB_PORT, as `make run`;
  - with RASA_API_TOKEN, each replica's admin API on 127.0.0.1:(its port + 1000), which
    `RASA_REPLICAS=N make reload` reaches one after the other (scripts/serve/reload.sh).
Ctrl-C or SIGTERM stops everything, nginx included; each child also gets SIGTERM if this process dies.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import redis
import sqlalchemy as sa

from channels import limits
from scripts.serve import stores
from tooling.servers import BIN, MODEL, ROOT, STARTUP_TIMEOUT, stop, wait_for

DEFAULT_TRACKER_STORE_URL = "postgresql://postgres@localhost:5432/imago?login_db=postgres"
DEFAULT_LOCK_STORE_URL = "redis://localhost:6379/0"
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
FAIL_TIMEOUT = "10s"
HOW_TO_START = {
    "PostgreSQL": "Debian: apt-get install postgresql && service postgresql start",
    "Redis": "Debian: apt-get install redis-server && service redis-server start",
}


def nginx_config(listen: str, replica_ports: List[int], state: Path) -> str:
    servers = [f"        server 127.0.0.1:{p} max_fails=1 fail_timeout={FAIL_TIMEOUT};" for p in replica_ports]
    return TEMPLATE.read_text().format(
        state=state, listen=listen, fail_timeout=FAIL_TIMEOUT, body_bytes=limits.max_body_bytes() + 4096,
        round_robin_servers="\n".join(servers), sticky_servers="\n".join(servers))


def nginx_binary() -> str:
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("nginx is missing: run scripts/serve/install_nginx.sh (make run-cluster does)")


def check_stores(tracker_url: str, lock_url: str) -> None:
    """Both stores answer, before anything starts: Rasa's SQL store would retry a wrong password forever."""
    try:
        tracker, lock = stores.tracker_store(tracker_url), stores.lock_store(lock_url)
    except stores.StoreURLError as e:
        raise SystemExit(str(e))
    if tracker["dialect"] != "postgresql":
        raise SystemExit("TRACKER_STORE_URL: the replicas share one tracker store, so it is postgresql://...")
    url = sa.engine.URL.create("postgresql", username=tracker["username"], password=tracker["password"],
                               host=tracker["url"], port=tracker["port"],
                               database=tracker.get("login_db") or tracker["db"], query=tracker.get("query", {}))
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            # Made here, once: replicas starting together would race to create it (Rasa's login_db).
            missing = not connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                             {"name": tracker["db"]}).first()
            if tracker.get("login_db") and missing:
                connection.execute(sa.text(f'CREATE DATABASE "{tracker["db"]}"'))  # a checked name (stores.py)
    except sa.exc.SQLAlchemyError as e:
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0].rstrip('.')
        raise SystemExit(f"PostgreSQL at {stores.redacted(tracker_url)} (TRACKER_STORE_URL): {reason}. "
                         f"{HOW_TO_START['PostgreSQL']}")
    finally:
        engine.dispose()
    client = redis.StrictRedis(host=lock["url"], port=lock["port"], db=lock["db"], username=lock["username"],
                               password=lock["password"], ssl=lock["use_ssl"], socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as e:
        raise SystemExit(f"Redis at {stores.redacted(lock_url)} (LOCK_STORE_URL): {str(e).rstrip('.')}. {HOW_TO_START['Redis']}")
    finally:
        client.close()


def die_with_parent() -> None:
    """In each child: SIGTERM when this launcher dies, however it dies (Linux prctl PR_SET_PDEATHSIG),
    and Ctrl-C's SIGINT as usual even if this launcher was started with it ignored (a `&` job)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Cluster:
    """The balancer, the replicas, the action server and (optionally) the widget demo, as processes."""

    def __init__(self, state: Path, host: str, port: int, replica_ports: List[int], action_port: int,
                 web_port: Optional[int], env: Dict[str, str], logs: Optional[Path] = None) -> None:
        self.state, self.host, self.port = state, host, port
        self.replica_ports, self.action_port, self.web_port = replica_ports, action_port, web_port
        self.logs = logs  # None: the children write to this terminal
        self.env = {
            **env,
            "ACTION_PORT": str(action_port),
            "WEB_PORT": str(web_port or env.get("WEB_PORT", "8080")),  # the demo page's origin (Socket.IO)
            "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES") or "127.0.0.1",
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
        }
        self.env.setdefault("TRACKER_DB", str(state / "unused-tracker.db"))  # endpoints.yml names it
        # With a token, each replica's admin API is on its own port + 1000 (make reload with RASA_REPLICAS).
        self.env.pop("RASA_ADMIN_PORT", None)
        self.replicas: List[Optional[subprocess.Popen]] = [None] * len(replica_ports)
        self.actions = self.nginx = self.web = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[index]}"

    def _output(self, name: str) -> Dict:
        if self.logs is None:
            return {}
        log = (self.logs / f"{name}.log").open("ab")
        return {"stdout": log, "stderr": subprocess.STDOUT}

    def _spawn(self, name: str, args: List[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(args, cwd=ROOT, preexec_fn=die_with_parent,
                                **{"env": self.env, **self._output(name), **kwargs})

    def start_replica(self, index: int) -> None:
        self.replicas[index] = self._spawn(f"rasa-{index + 1}", [
            str(BIN / "python"), "-m", "scripts.serve.rasa_server", "run", "--model", str(MODEL),
            "--interface", "127.0.0.1", "--port", str(self.replica_ports[index]),
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"])

    def wait_replica(self, index: int) -> None:
        wait_for(f"{self.replica_url(index)}/webhooks/rest/", self.replicas[index], STARTUP_TIMEOUT)

    def start(self) -> None:
        (self.state / "tmp").mkdir(parents=True, exist_ok=True)
        config = self.state / "nginx.conf"
        config.write_text(nginx_config(f"{self.host}:{self.port}", self.replica_ports, self.state))
        # The action server listens on localhost only: only Rasa talks to it.
        self.actions = self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                               "--port", str(self.action_port)],
                                   env={**self.env, "SANIC_HOST": "127.0.0.1"})
        for index in range(len(self.replica_ports)):  # loaded side by side: TensorFlow start-up is slow
            self.start_replica(index)
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.actions, 60)
        for index in range(len(self.replica_ports)):
            self.wait_replica(index)
        self.nginx = self._spawn("nginx", [nginx_binary(), "-p", str(self.state), "-c", str(config),
                                           "-e", str(self.state / "nginx-error.log"), "-g", "daemon off;"])
        wait_for(f"{self.url}/", self.nginx, 30)
        if self.web_port:
            self.web = self._spawn("web", [str(BIN / "python"), "scripts/serve/serve_web.py", "--host", self.host,
                                           "--port", str(self.web_port), "--rasa-url", self.url],
                                   stdout=subprocess.DEVNULL)

    def processes(self) -> List[subprocess.Popen]:
        return [p for p in [self.nginx, self.web, *self.replicas, self.actions] if p is not None]

    def kill_replica(self, index: int) -> None:
        """SIGKILL, as a crash: no shutdown, the locks it held stay in Redis until they expire."""
        self.replicas[index].kill()
        self.replicas[index].wait()

    def stop(self) -> None:
        if self.nginx is not None:
            stop(self.nginx)  # first: no new requests reach a stopping replica
        # The rest together: each replica may take seconds to shut down.
        rest = [p for p in [self.web, *self.replicas, self.actions] if p is not None and p.poll() is None]
        for process in rest:
            # SIGTERM for the demo server, which has no Ctrl-C handler (no traceback); Ctrl-C for Rasa.
            process.send_signal(signal.SIGTERM if process is self.web else signal.SIGINT)
        deadline = time.time() + 30
        for process in rest:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    host = os.environ.get("RASA_HOST", "127.0.0.1")
    try:
        port = int(os.environ.get("RASA_PORT", "5005"))
        replicas = int(os.environ.get("RASA_REPLICAS", "2"))
        action_port = int(os.environ.get("ACTION_PORT", "5055"))
        web_port = int(os.environ.get("WEB_PORT", "8080"))
    except ValueError as e:
        raise SystemExit(f"RASA_PORT, RASA_REPLICAS, ACTION_PORT and WEB_PORT are whole numbers ({e})")
    if not 1 <= replicas <= 16:
        raise SystemExit("RASA_REPLICAS must be from 1 to 16")
    if os.environ.get("RASA_ADMIN_PORT", "").strip():
        raise SystemExit("RASA_ADMIN_PORT can't be used with run-cluster: each replica's admin API is on its own "
                         "port + 1000 (RASA_PORT + 1 + 1000, ...); unset it, and reload with "
                         "RASA_REPLICAS=<n> make reload")
    env = dict(os.environ)
    env["TRACKER_STORE_URL"] = env.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL
    env["LOCK_STORE_URL"] = env.get("LOCK_STORE_URL") or DEFAULT_LOCK_STORE_URL
    check_stores(env["TRACKER_STORE_URL"], env["LOCK_STORE_URL"])
    os.umask(0o077)  # conversations are health data: every file made here is owner-only
    cluster = Cluster(ROOT / ".state" / "cluster", host, port, [port + i for i in range(1, replicas + 1)],
                      action_port, web_port, env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through the finally below, as Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even when started as a `&` job
    print(f"Starting {replicas} Rasa replicas, the action server, nginx and the widget demo.\n"
          f"  Tracker store: {stores.redacted(env['TRACKER_STORE_URL'])}\n"
          f"  Lock store:    {stores.redacted(env['LOCK_STORE_URL'])}", flush=True)
    try:
        cluster.start()
        ports = ", ".join(str(p) for p in cluster.replica_ports)
        print(f"""
  The Imago assistant is up: {replicas} replicas (127.0.0.1:{ports}) behind nginx.
    REST:      curl -s -XPOST {cluster.url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                 -d '{{"sender": "me", "message": "what is imago therapy?"}}'
    Socket.IO: {cluster.url}/socket.io  (sticky: one client address, one replica)
    Widget:    http://{host}:{web_port}/
    Balancer:  .state/cluster/nginx.conf, which replica answered: .state/cluster/nginx-access.log
  Press Ctrl-C to stop.
""", flush=True)
        while all(p.poll() is None for p in cluster.processes()):
            time.sleep(1)
        gone = next(p for p in cluster.processes() if p.poll() is not None)
        raise SystemExit(f"{Path(gone.args[0]).name} (pid {gone.pid}) exited with {gone.returncode}: stopping")
    except KeyboardInterrupt:
        pass
    except RuntimeError as e:  # a server that did not start (tooling.servers.wait_for)
        raise SystemExit(f"start-up failed: {e}")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        cluster.stop()


if __name__ == "__main__":
    main()
