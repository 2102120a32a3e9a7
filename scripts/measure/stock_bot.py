"""The stock `rasa init` bot, the yardstick of `make bench` (issue 12): same Rasa, same Python.

Built once with `rasa init --no-prompt` (which also trains it) into
.build/stock-bot/ and reused while its model is there and its Rasa version is
ours. It is built in a temporary folder beside it and renamed into place
when trained, so an interrupted build never passes for a cached one.
Served with plain `rasa run` (its credentials.yml enables the REST channel).
"""
import os
import shutil
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Optional

from tooling.servers import BIN, ROOT, free_port, stop, wait_for

STOCK_DIR = ROOT / ".build" / "stock-bot"
VERSION_FILE = "rasa-version"  # the Rasa that trained it: another version rebuilds
STARTUP_TIMEOUT = 240
RASA_VERSION = version("rasa")


def cached_model(folder: Path = STOCK_DIR) -> Optional[Path]:
    """The trained model in `folder`, if it is there and of this Rasa; else None."""
    stamp = folder / VERSION_FILE
    if not stamp.is_file() or stamp.read_text().strip() != RASA_VERSION:
        return None
    models = sorted((folder / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def build(folder: Path = STOCK_DIR) -> Path:
    """The stock bot's model: the cached one, else `rasa init --no-prompt` (a few minutes)."""
    model = cached_model(folder)
    if model:
        return model
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)  # a stale version's bot
    work = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
    try:
        print("building the stock `rasa init` bot (once; cached in .build/stock-bot)", flush=True)
        log = work.parent / f"{work.name}.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(work)],
                cwd=work, env=_env(), stdout=out, stderr=subprocess.STDOUT,
            )
        if done.returncode != 0 or not list((work / "models").glob("*.tar.gz")):
            raise SystemExit(f"`rasa init --no-prompt` failed (exit {done.returncode}); its output: {log}")
        log.unlink()
        (work / VERSION_FILE).write_text(RASA_VERSION)
        work.chmod(0o755)  # mkdtemp's folders are private; the cache is not
        try:
            work.rename(folder)
        except OSError:  # built meanwhile by another run: use that one
            if not cached_model(folder):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return cached_model(folder)


def _env() -> dict:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


class StockBot:
    """The stock bot's `rasa run` on a free port, REST channel on, its log in `log`."""

    def __init__(self, model: Path, log: Path, folder: Path = STOCK_DIR) -> None:
        self.model, self.log, self.folder = model, log, folder
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Starts it and returns once its REST webhook answers."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "rasa"), "run", "--model", str(self.model), "--interface", "127.0.0.1",
                 "--port", str(self.port), "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
                cwd=self.folder, env=_env(), stdout=out, stderr=subprocess.STDOUT,
            )
        wait_for(f"{self.url}/webhooks/rest/", self.proc, STARTUP_TIMEOUT)

    def stop(self) -> None:
        if self.proc:
            stop(self.proc)
