"""`BENCH_TRAIN=1 make bench`: how long the project's training takes, as `make train` runs it.

In a temporary folder, never touching models/, .build/data or Rasa's cache in
.rasa/: a copy of data/, built into training data by
scripts/build/build_training_data.py, trained with the Makefile's settings
(PYTHONHASHSEED=0, TF_DETERMINISTIC_OPS=1) and an empty cache: the full
training. Then one article answer in the copy gets a word more and it trains
again with that cache: the answer-only retrain. Several minutes of both cores.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict

from tooling.servers import BIN, ROOT

# Issue 12's targets, in seconds.
TARGETS = {"full training": 180.0, "answer-only retrain": 30.0}
EDITED_TOPIC = "cost"
# The first line of the first answer: `  - text: |-` then its indented text.
FIRST_ANSWER_LINE = re.compile(r"(?m)^(responses:\n(?:.*\n)*?\s+- text: \|-?\n\s+)(\S.*)$")


def edit_an_answer(topic_file: Path) -> None:
    """A word more in the topic's first answer, as an editor would change it."""
    raw = topic_file.read_text(encoding="utf-8")
    edited, count = FIRST_ANSWER_LINE.subn(r"\1\2 Edited.", raw, count=1)
    if count != 1:
        raise SystemExit(f"BENCH_TRAIN: found no answer to edit in {topic_file.name}")
    topic_file.write_text(edited, encoding="utf-8")


def _train(data: Path, work: Path, log: Path) -> float:
    """Seconds for `make train`'s two steps on a copy of data/."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "TF_DETERMINISTIC_OPS": "1", "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT), "RASA_CACHE_DIRECTORY": str(work / "cache")}
    began = time.perf_counter()
    with log.open("ab") as out:
        for command in (
            [str(BIN / "python"), "scripts/build/build_training_data.py", str(data), str(work / "training-data")],
            [str(BIN / "rasa"), "train", "--data", str(work / "training-data"), "--fixed-model-name", "imago",
             "--out", str(work / "models")],
        ):
            if subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode:
                raise SystemExit(f"BENCH_TRAIN: {Path(command[1]).name} failed; its output: {log}")
    return time.perf_counter() - began


def time_training() -> Dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="imago-bench-train-"))
    log = work.with_suffix(".log")  # kept when a step fails
    try:
        shutil.copytree(ROOT / "data", work / "data")
        full = _train(work / "data", work, log)
        edit_an_answer(work / "data" / "faq" / f"{EDITED_TOPIC}.yml")
        answer_only = _train(work / "data", work, log)
        log.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"full training": full, "answer-only retrain": answer_only}


def table(seconds: Dict[str, float]) -> str:
    lines = ["| training (BENCH_TRAIN=1) | this project | target |", "|---|---|---|"]
    for name, value in seconds.items():
        target = TARGETS[name]
        met = "met" if value <= target else "not met"
        lines.append(f"| {name} | {value:.0f} s | ≤ {target:.0f} s: {met} |")
    return "\n".join(lines)
