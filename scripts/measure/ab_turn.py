"""Old code against new, alternating in one run: is a cut worth keeping?

    PYTHONPATH=. .venv/bin/python scripts/measure/ab_turn.py --a "$BEFORE" --b . \
        [--a-env NAME=VALUE ...] [--b-env NAME=VALUE ...] [--concurrency 1 4] [--requests 120] [--channel rest]

BEFORE is the old code: e.g. a second worktree of main, with the same .venv
and models/. Starts one action server and two Rasa servers, A and B, each
from its own checkout (its scripts/serve/rasa_server.py and code, the same
trained model models/imago.tar.gz) and with its own extra environment (e.g. TensorFlow's
thread settings), then sends both the same held-out visitor questions
(tests/nlu/held_out.yml), each once per server and level, in blocks that
alternate A B B A ..., so drift on the shared machine falls on both. Prints
p50 and mean for each side at each concurrency, and the ratios B/A.

--channel twilio posts Twilio's signed SMS webhook form instead of REST, with
the platforms' stand-in of the tests (tests/platforms.py) catching the
replies. Rate limits are off, as in tooling/servers.py.
"""
import argparse
import functools
import statistics
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests

from scripts.measure.profile_turn import held_out_messages
from tooling.servers import MODEL, STARTUP_TIMEOUT, Servers, stop, wait_for

TURNS_PER_CONVERSATION = 10


class Side:
    """One Rasa server run from `root`'s code, as tooling/servers.py starts it."""

    def __init__(self, name: str, root: Path, base: Servers, extra_env: Dict[str, str], tmp: Path) -> None:
        from tooling.servers import free_port
        self.name, self.root = name, root.resolve()
        self.port = free_port()
        self.env = {**base.env, "PYTHONPATH": str(self.root), "TRACKER_DB": str(tmp / f"tracker-{name}.db"),
                    **extra_env}
        self.log = tmp / f"rasa-{name}.log"
        self.proc: Optional[subprocess.Popen] = None
        self.latencies: Dict[int, List[float]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(self.root / ".venv" / "bin" / "python"), "-m", "scripts.serve.rasa_server", "run",
             "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(self.port),
             "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
            cwd=self.root, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.url}/webhooks/rest/", self.proc, STARTUP_TIMEOUT)


def rest_post(session: requests.Session, side: Side, sender: str, text: str) -> None:
    reply = session.post(f"{side.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    reply.raise_for_status()


def twilio_post(platforms, session: requests.Session, side: Side, sender: str, text: str) -> None:
    from tests.platforms import SMS_NUMBER, TWILIO_SID
    url = f"{side.url}/webhooks/twilio/webhook"
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID, "From": sender, "To": SMS_NUMBER,
            "Body": text, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    reply = session.post(url, data=form, headers={"X-Twilio-Signature": platforms.twilio_signature(url, form)},
                         timeout=120)
    reply.raise_for_status()


def run_block(post, side: Side, jobs: List[Tuple[str, str]], concurrency: int) -> List[float]:
    sessions = [requests.Session() for _ in range(concurrency)]

    def one(i: int) -> float:
        sender, text = jobs[i]
        start = time.perf_counter()
        post(sessions[i % concurrency], side, sender, text)
        return time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, range(len(jobs))))


def parse_env(pairs: List[str]) -> Dict[str, str]:
    env = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--a-env/--b-env take NAME=VALUE, not {pair!r}")
        env[name] = value
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, required=True, help="checkout of the old code")
    parser.add_argument("--b", type=Path, required=True, help="checkout of the new code")
    parser.add_argument("--a-env", action="append", default=[])
    parser.add_argument("--b-env", action="append", default=[])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--requests", type=int, default=120, help="per side and concurrency level")
    parser.add_argument("--channel", choices=["rest", "twilio"], default="rest")
    args = parser.parse_args()
    for root in (args.a, args.b):
        if not (root / "scripts" / "serve" / "rasa_server.py").exists():
            raise SystemExit(f"{root} is not a checkout of this project")
    texts = held_out_messages()
    if args.requests * len(args.concurrency) > len(texts):
        raise SystemExit(f"--requests x levels must be at most {len(texts)}: each question goes once per level")
    tmp = Path(tempfile.mkdtemp(prefix="imago-ab-"))
    platforms = None
    extra: Dict[str, str] = {}
    if args.channel == "twilio":
        from tests.platforms import Platforms
        platforms = Platforms().start()
        extra = platforms.env
        post = functools.partial(twilio_post, platforms)
    else:
        post = rest_post
    base = Servers(tmp, extra_env=extra)
    base.start_actions()
    sides = [Side("A", args.a, base, parse_env(args.a_env), tmp), Side("B", args.b, base, parse_env(args.b_env), tmp)]
    try:
        for side in sides:
            side.start()
            run_block(post, side, [(f"warm-{uuid.uuid4().hex[:6]}", f"warm-up question {i} about imago")
                                   for i in range(20)], 1)
        for level, concurrency in enumerate(args.concurrency):
            level_texts = texts[level * args.requests:(level + 1) * args.requests]
            block = 1 if concurrency == 1 else concurrency * 2
            senders = [f"ab-{uuid.uuid4().hex[:8]}" for _ in range(len(level_texts) // TURNS_PER_CONVERSATION + 1)]
            jobs = [(senders[i // TURNS_PER_CONVERSATION], text) for i, text in enumerate(level_texts)]
            for side in sides:
                side.latencies[concurrency] = []
            for n, start in enumerate(range(0, len(jobs), block)):
                order = sides if n % 4 in (0, 3) else sides[::-1]  # A B B A
                for side in order:
                    side.latencies[concurrency] += run_block(post, side, jobs[start:start + block], concurrency)
    finally:
        for side in sides:
            if side.proc:
                stop(side.proc)
        base.stop_all()
        if platforms:
            platforms.stop()
    print(f"A = {args.a} {' '.join(args.a_env)}\nB = {args.b} {' '.join(args.b_env)}\nchannel: {args.channel}\n")
    # Paired: the same question to A and to B, one right after the other, so the ratio of
    # each pair is free of the machine's drift; its median is the steadiest figure here.
    print("| concurrency | A p50 ms | B p50 ms | B/A p50 | A mean ms | B mean ms | B/A mean | B/A paired median "
          "| requests per side |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for concurrency in args.concurrency:
        a, b = ([x * 1000 for x in side.latencies[concurrency]] for side in sides)
        paired = statistics.median(y / x for x, y in zip(a, b))
        print(f"| {concurrency} | {statistics.median(a):.1f} | {statistics.median(b):.1f} | "
              f"{statistics.median(b) / statistics.median(a):.2f} | {statistics.mean(a):.1f} | "
              f"{statistics.mean(b):.1f} | {statistics.mean(b) / statistics.mean(a):.2f} | {paired:.2f} | {len(a)} |")


if __name__ == "__main__":
    main()
