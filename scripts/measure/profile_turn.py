"""Where a turn's time goes: the breakdown in docs/performance.md.

    PYTHONPATH=. .venv/bin/python scripts/measure/profile_turn.py [--turns 120] [--cprofile-turns 40]

Starts the action server and, in a child process, the Rasa server as `make
run` does (scripts/serve/rasa_server.py), with timers around the parts of a
turn: our REST handler and turn wrapper (channels/), the lock, the tracker
store's reads and writes, each node of Rasa's graph (the NLU components and
the policies), the actions, the response generator (replies/nlg.py) and the
action server. Then it posts held-out visitor questions (tests/nlu/held_out.yml,
each once, ten turns per conversation, rate limits off as in tooling/servers.py)
one at a time over REST, and prints the mean per turn of each part as a
Markdown table. HTTP/Sanic is the client's round trip less our REST handler.

A second phase runs cProfile around further turns and prints the functions
with the most time of their own; the full profile is saved for
`python -m pstats` (its path is printed). cProfile slows Python code down,
so the table comes from the first phase, which has only the timers.

The parent tells the child to start and stop measuring through a command
file and SIGUSR1, so warm-up turns are left out.
"""
import argparse
import asyncio
import cProfile
import functools
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
TURNS_PER_CONVERSATION = 10


# ---- the child: the Rasa server with timers -------------------------------------------------

class Clock:
    """Seconds and calls per part of a turn, while `on`. One turn at a time (the profile runs
    at concurrency 1), so a stack of the parts under way says where a graph node belongs."""

    def __init__(self) -> None:
        self.on = False
        self.totals: Dict[str, float] = defaultdict(float)
        self.calls: Dict[str, int] = defaultdict(int)
        self.stack: List[str] = []

    def add(self, label: str, seconds: float) -> None:
        if self.on:
            self.totals[label] += seconds
            self.calls[label] += 1


CLOCK = Clock()


def _timed(fn: Any, label: Any) -> Any:
    """`fn` with its time added under `label` (a string, or a function of the call's arguments)."""
    name = label if callable(label) else (lambda *a, **kw: label)
    if asyncio.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            key = name(*args, **kwargs)
            CLOCK.stack.append(key)
            start = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                CLOCK.add(key, time.perf_counter() - start)
                CLOCK.stack.pop()
        return timed_async

    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        key = name(*args, **kwargs)
        CLOCK.stack.append(key)
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            CLOCK.add(key, time.perf_counter() - start)
            CLOCK.stack.pop()
    return timed


def _time(owner: Any, attr: str, label: Any) -> None:
    setattr(owner, attr, _timed(getattr(owner, attr), label))


NLU_GRAPH = "Rasa: parse_message (NLU graph)"


def _node_label(node: Any, *args: Any, **kwargs: Any) -> str:
    phase = "NLU" if NLU_GRAPH in CLOCK.stack else "policies"
    return f"{phase}: {node._node_name}"


def _read_label(*args: Any, **kwargs: Any) -> str:
    # The rule layer reads each message twice: in the wrapper, and in the pipeline's SafetyRuleClassifier.
    return "rule layer read inside the NLU graph" if NLU_GRAPH in CLOCK.stack else "wrapper: rule layer (safety/detector.py)"


def install_timers() -> None:
    """Timers around the parts of a turn (module docstring); before Rasa builds the app."""
    import rasa.core.actions.action as actions
    import rasa.core.agent as agent
    import rasa.core.processor as processor
    import rasa.core.tracker_store as tracker_store
    import rasa.engine.graph as graph

    import channels.base as base
    import channels.limiter as limiter
    import channels.render as render
    import channels.rest as rest
    import channels.turn as turn
    import privacy.logs as logs
    import replies.nlg as nlg
    import safety.detector as detector

    _time(rest.SafeRestInput, "receive", "REST handler (channels/rest.py, all of it)")
    original_safe_turn = base.safe_turn
    base.safe_turn = lambda *a, **kw: _timed(original_safe_turn(*a, **kw), "turn wrapper (channels/turn.py, all of it)")
    for module, attr, label in [
        (turn, "clean", "wrapper: clean (safety/clean.py)"),
        (turn, "unslash", "wrapper: unslash"),
        (turn, "detect_language", "wrapper: language (understanding/language.py)"),
        (turn, "split_questions", "wrapper: split (understanding/split.py)"),
        (turn, "arrange_turn", "wrapper: arrange_turn"),
        (render, "for_channel", "wrapper: render (channels/render.py)"),
        (logs, "keep_out", "wrapper: logs.keep_out (privacy/logs.py)"),
    ]:
        _time(module, attr, label)
    _time(detector.Detector, "read", _read_label)
    _time(limiter.Limits, "admit", "wrapper: rate limiter (channels/limiter.py)")
    _time(turn.StatedCountry, "__call__", "wrapper: stored country re-read")
    _time(turn.StatedCountry, "last_buttons", "wrapper: last buttons re-read")
    _time(agent.Agent, "handle_message", "Rasa: agent.handle_message (lock + processor)")
    MP = processor.MessageProcessor
    for attr, label in [
        ("handle_message", "Rasa: processor.handle_message"),
        ("fetch_tracker_and_update_session", "Rasa: fetch tracker + session start"),
        ("parse_message", NLU_GRAPH),
        ("run_action_extract_slots", "Rasa: action_extract_slots"),
        ("predict_next_with_tracker_if_should", "Rasa: predict next action (policy graph)"),
        ("_run_action", "Rasa: run actions (incl. NLG, action server)"),
        ("run_anonymization_pipeline", "Rasa: anonymization pipeline"),
        ("save_tracker", "Rasa: save_tracker"),
    ]:
        _time(MP, attr, label)
    _time(tracker_store.SQLTrackerStore, "retrieve", "store: SQL retrieve (tracker read)")
    _time(tracker_store.SQLTrackerStore, "save", "store: SQL save (tracker write)")
    _time(nlg.AssistantNLG, "generate", "NLG: replies/nlg.py generate")
    _time(actions.RemoteAction, "run", "action server call (RemoteAction.run)")
    _time(graph.GraphNode, "__call__", _node_label)


class Control:
    """Commands from the parent: a word in OUT/command, then SIGUSR1; done when OUT/ack-N exists."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0
        self.profiler: Any = None

    def __call__(self, _signum: int, _frame: Any) -> None:
        command = (self.out / "command").read_text().strip()
        if command == "timers-start":
            CLOCK.totals.clear()
            CLOCK.calls.clear()
            CLOCK.on = True
        elif command == "timers-stop":
            CLOCK.on = False
            (self.out / "timers.json").write_text(json.dumps({"totals": CLOCK.totals, "calls": CLOCK.calls}))
        elif command == "cprofile-start":
            self.profiler = cProfile.Profile()
            self.profiler.enable()
        elif command == "cprofile-stop":
            self.profiler.disable()
            self.profiler.dump_stats(str(self.out / "turns.pstats"))
        self.count += 1
        (self.out / f"ack-{self.count}").write_text(command)


def serve(rasa_args: List[str]) -> None:
    out = Path(os.environ["PROFILE_OUT"])
    install_timers()
    signal.signal(signal.SIGUSR1, Control(out))
    from scripts.serve import rasa_server
    sys.argv = ["rasa_server", *rasa_args]
    rasa_server.main()


# ---- the parent: servers, turns, the table ---------------------------------------------------

def held_out_messages() -> List[str]:
    from scripts.measure.held_out import load_held_out
    topics, cannot = load_held_out()
    texts = [text for examples in topics.values() for text in examples] + list(cannot)
    # Topic and off-topic questions mixed, as visitors send them; each once.
    texts.sort(key=lambda t: uuid.uuid5(uuid.NAMESPACE_URL, t).hex)
    return list(dict.fromkeys(texts))


class Child:
    def __init__(self, servers: Any, out: Path) -> None:
        self.servers, self.out, self.count = servers, out, 0

    def tell(self, command: str) -> None:
        (self.out / "command").write_text(command)
        self.count += 1
        self.servers.rasa.send_signal(signal.SIGUSR1)
        deadline = time.time() + 30
        while not (self.out / f"ack-{self.count}").exists():
            if time.time() > deadline:
                raise RuntimeError(f"the Rasa server did not answer '{command}'")
            time.sleep(0.05)


def start(out: Path) -> Any:
    from tooling.servers import BIN, MODEL, STARTUP_TIMEOUT, Servers, wait_for
    servers = Servers(out)
    servers.env["PROFILE_OUT"] = str(out)
    servers.start_actions()
    log = servers.rasa_log.open("ab")
    servers.rasa = subprocess.Popen(
        [str(BIN / "python"), "-m", "scripts.measure.profile_turn", "serve", "run", "--model", str(MODEL),
         "--interface", "127.0.0.1", "--port", str(servers.rasa_port), "--credentials", "credentials.yml",
         "--endpoints", "endpoints.yml"],
        cwd=ROOT, env=servers.env, stdout=log, stderr=subprocess.STDOUT,
    )
    wait_for(f"{servers.url}/webhooks/rest/", servers.rasa, STARTUP_TIMEOUT)
    return servers


def turns(servers: Any, texts: List[str]) -> List[float]:
    """Round trips in seconds; a new conversation every TURNS_PER_CONVERSATION turns."""
    import requests
    session = requests.Session()
    times = []
    sender = ""
    for i, text in enumerate(texts):
        if i % TURNS_PER_CONVERSATION == 0:
            sender = f"profile-{uuid.uuid4().hex[:8]}"
        start = time.perf_counter()
        reply = session.post(f"{servers.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=120)
        times.append(time.perf_counter() - start)
        reply.raise_for_status()
    return times


ORDER = [  # (label, depth) as the table shows them; a part's own parts follow it, indented
    ("round trip (client)", 0),
    ("HTTP/Sanic (round trip less REST handler)", 1),
    ("REST handler (channels/rest.py, all of it)", 1),
    ("turn wrapper (channels/turn.py, all of it)", 2),
    ("wrapper: own code (wrapper less Rasa)", 3),
    ("wrapper: rule layer (safety/detector.py)", 4),
    ("wrapper: language (understanding/language.py)", 4),
    ("wrapper: split (understanding/split.py)", 4),
    ("wrapper: clean (safety/clean.py)", 4),
    ("wrapper: unslash", 4),
    ("wrapper: logs.keep_out (privacy/logs.py)", 4),
    ("wrapper: rate limiter (channels/limiter.py)", 4),
    ("wrapper: arrange_turn", 4),
    ("wrapper: render (channels/render.py)", 4),
    ("wrapper: stored country re-read", 4),
    ("wrapper: last buttons re-read", 4),
    ("Rasa: agent.handle_message (lock + processor)", 3),
    ("lock (agent less processor)", 4),
    ("Rasa: processor.handle_message", 4),
    ("Rasa: fetch tracker + session start", 5),
    ("store: SQL retrieve (tracker read)", 6),
    ("Rasa: parse_message (NLU graph)", 5),
    ("NLU:", 6),
    ("rule layer read inside the NLU graph", 7),
    ("Rasa: action_extract_slots", 5),
    ("Rasa: predict next action (policy graph)", 5),
    ("policies:", 6),
    ("Rasa: run actions (incl. NLG, action server)", 5),
    ("NLG: replies/nlg.py generate", 6),
    ("action server call (RemoteAction.run)", 6),
    ("Rasa: anonymization pipeline", 5),
    ("Rasa: save_tracker", 5),
    ("store: SQL save (tracker write)", 6),
]


def breakdown(round_trips: List[float], timers: Dict[str, Any]) -> List[Tuple[str, int, float, float]]:
    """(label, depth, ms per turn, calls per turn), in ORDER; graph nodes under their phase."""
    n = len(round_trips)
    totals = dict(timers["totals"])
    calls = dict(timers["calls"])
    totals["round trip (client)"] = sum(round_trips)
    calls["round trip (client)"] = n
    rest = "REST handler (channels/rest.py, all of it)"
    wrapper = "turn wrapper (channels/turn.py, all of it)"
    rasa = "Rasa: agent.handle_message (lock + processor)"
    totals["HTTP/Sanic (round trip less REST handler)"] = totals["round trip (client)"] - totals.get(rest, 0)
    totals["wrapper: own code (wrapper less Rasa)"] = totals.get(wrapper, 0) - totals.get(rasa, 0)
    totals["lock (agent less processor)"] = totals.get(rasa, 0) - totals.get("Rasa: processor.handle_message", 0)
    rows = []
    for label, depth in ORDER:
        if label.endswith(":"):  # every graph node of that phase, largest first
            nodes = sorted((k for k in totals if k.startswith(label + " ")), key=lambda k: -totals[k])
            rows += [(k, depth, totals[k] / n * 1000, calls[k] / n) for k in nodes]
        elif label in totals:
            rows.append((label, depth, totals[label] / n * 1000, calls.get(label, n) / n))
    return rows


def table(rows: List[Tuple[str, int, float, float]], round_trip_ms: float) -> str:
    lines = ["| part of the turn | ms per turn | share | calls per turn |", "|---|---:|---:|---:|"]
    for label, depth, ms, calls in rows:
        indent = "&nbsp;&nbsp;" * depth
        lines.append(f"| {indent}{label} | {ms:.2f} | {ms / round_trip_ms:.0%} | {calls:.2f} |")
    return "\n".join(lines)


def top_functions(path: Path, count: int) -> str:
    stats = pstats.Stats(str(path))
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:count]  # tottime: time of its own
    total = stats.total_tt or 1.0
    lines = ["| function | own time share | calls |", "|---|---:|---:|"]
    for (file, line, fn), (_cc, calls, tottime, _cum, _callers) in rows:
        where = file.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        lines.append(f"| `{fn}` {where}:{line} | {tottime / total:.1%} | {calls} |")
    return "\n".join(lines)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=120, help="timed turns (held-out questions, each once)")
    parser.add_argument("--cprofile-turns", type=int, default=40, help="turns under cProfile after them")
    parser.add_argument("--warm-up", type=int, default=20)
    args = parser.parse_args()
    texts = held_out_messages()
    if args.turns + args.cprofile_turns > len(texts):
        raise SystemExit(f"at most {len(texts)} turns in all: each held-out question is sent once")
    out = Path(tempfile.mkdtemp(prefix="imago-profile-"))
    servers = start(out)
    child = Child(servers, out)
    try:
        turns(servers, [f"warm-up question {i} about imago therapy" for i in range(args.warm_up)])
        child.tell("timers-start")
        round_trips = turns(servers, texts[:args.turns])
        child.tell("timers-stop")
        child.tell("cprofile-start")
        turns(servers, texts[args.turns:args.turns + args.cprofile_turns])
        child.tell("cprofile-stop")
        rss = rss_mib(servers.rasa.pid)
    finally:
        servers.stop_all()
    timers = json.loads((out / "timers.json").read_text())
    ms = [t * 1000 for t in round_trips]
    print(f"{len(ms)} turns over REST at concurrency 1: p50 {statistics.median(ms):.1f} ms, "
          f"mean {statistics.mean(ms):.1f} ms; the Rasa server's resident memory after them: {rss:.0f} MiB\n")
    print(table(breakdown(round_trips, timers), statistics.mean(ms)))
    print(f"\nOwn time under cProfile ({args.cprofile_turns} turns), the top 25:\n")
    print(top_functions(out / "turns.pstats", 25))
    print(f"\nFull profile: python -m pstats {out / 'turns.pstats'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
    else:
        main()
