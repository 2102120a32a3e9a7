"""The real servers (Rasa and the action server) on free ports, for tests and the benchmark.

The trained model (models/imago.tar.gz, built by `make train`) is loaded by
one Rasa server; the action server beside it can be stopped and started.
"""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "imago.tar.gz"
STARTUP_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before it was ready")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Servers:
    """A running Rasa server and action server, with their logs on disk."""

    def __init__(self, tmp: Path, extra_env: Optional[Dict[str, str]] = None) -> None:
        self.tmp = tmp
        self.rasa_port, self.action_port = free_port(), free_port()
        self.web_port = free_port()  # the widget's demo page; its origin may use Socket.IO
        self.tracker_db = tmp / "tracker.db"
        self.rasa_log = tmp / "rasa.log"
        # The stores and workers of the caller's shell are not the tests': each test's Rasa keeps its
        # own SQLite file, unless extra_env says otherwise (tests/e2e/test_scale_out.py uses Cluster).
        inherited = {k: v for k, v in os.environ.items()
                     if k not in ("TRACKER_STORE_URL", "LOCK_STORE_URL", "RASA_WORKERS")}
        self.env = {
            **inherited,
            "ACTION_PORT": str(self.action_port),
            "WEB_PORT": str(self.web_port),  # allowed Socket.IO origins (channels/socketio.py)
            "TRACKER_DB": str(self.tracker_db),
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SANIC_HOST": "127.0.0.1",
            # Every test and benchmark client is 127.0.0.1, so the per-address
            # limits would throttle the run itself; tests/e2e/test_limits.py sets its own.
            "RATE_LIMIT_CONVERSATION": "off", "RATE_LIMIT_ADDRESS": "off", "SOCKETIO_MAX_PER_ADDRESS": "1000",
            **(extra_env or {}),  # e.g. the messaging channels, pointed at local stand-ins
        }
        self.actions = None
        self.rasa = None
        self.admin_port: Optional[int] = None  # with an API token (start_rasa)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start_actions(self) -> None:
        self.actions = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.actions, 60)

    def stop_actions(self) -> None:
        if self.actions:
            stop(self.actions)

    def start_rasa(self, api_token: Optional[str] = None, debug: bool = False) -> None:
        """Rasa through scripts/serve/rasa_server.py, as `make run` starts it. With api_token the
        admin API listens on 127.0.0.1:admin_port; the token goes in the environment, never argv.
        With debug, every log line (e.g. to show none holds personal data)."""
        log = self.rasa_log.open("ab")
        env = {k: v for k, v in self.env.items() if k not in ("RASA_API_TOKEN", "RASA_API_TOKEN_FILE")}
        if api_token:
            self.admin_port = free_port()
            env.update(RASA_API_TOKEN=api_token, RASA_ADMIN_PORT=str(self.admin_port))
        verbose = ["--debug"] if debug else []
        self.rasa = subprocess.Popen(
            [str(BIN / "python"), "-m", "scripts.serve.rasa_server", "run", "--model", str(MODEL),
             "--interface", "127.0.0.1", "--port", str(self.rasa_port), "--credentials", "credentials.yml",
             "--endpoints", "endpoints.yml", *verbose],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.url}/webhooks/rest/", self.rasa, STARTUP_TIMEOUT)
        if api_token:
            wait_for(f"{self.admin_url}/status", self.rasa, 30)  # started just after the public port

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def say(self, sender: str, text: str, **metadata):
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        reply = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=120)
        assert reply.status_code == 200, reply.text
        return reply.json()



    def stop_all(self) -> None:
        if self.rasa:
            stop(self.rasa)
        self.stop_actions()
