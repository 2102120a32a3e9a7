"""Messages per second per core of one Rasa server: the figure docs/deploy.md sizes from.

    PYTHONPATH=. .venv/bin/python deploy/measure_capacity.py      (after `make train`)

Starts the project's servers as the tests do (tooling.servers.Servers: the launcher, the action
server, the SQLite tracker store, rate limits off), warms the server up, then sends
CAPACITY_MESSAGES (200) messages at concurrency CAPACITY_CONCURRENCY (2), every text a different
held-out visitor question (tests/nlu/held_out.yml, never trained on), from 40 visitors of 5 turns.
It reads the CPU time the Rasa server and the action server used during the run from /proc, so
the figure holds on a shared machine too: messages / CPU-seconds is messages per second per busy
core. Wall-clock throughput and latency are printed beside it, but they depend on what else runs.
"""
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

from tooling.servers import ROOT, Servers

MESSAGES = int(os.environ.get("CAPACITY_MESSAGES", "200"))
CONCURRENCY = int(os.environ.get("CAPACITY_CONCURRENCY", "2"))
WARM_UP = 20
TURNS_PER_VISITOR = 5


def held_out_texts():
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "held_out.yml").read_text(encoding="utf-8"))
    texts = [t for topic in data["topics"].values() for t in topic] + list(data["cannot_answer"])
    return list(dict.fromkeys(texts))  # unique, in file order


def process_tree(pid: int) -> list:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            pids += process_tree(int(child))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (Sanic workers, if any), from /proc."""
    total = 0
    for p in process_tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post(url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    reply.raise_for_status()
    return time.perf_counter() - start


def main() -> None:
    texts = held_out_texts()
    if len(texts) < WARM_UP + MESSAGES:
        raise SystemExit(f"only {len(texts)} held-out texts: CAPACITY_MESSAGES at most {len(texts) - WARM_UP}")
    warm, measured = texts[:WARM_UP], texts[WARM_UP:WARM_UP + MESSAGES]
    visitors = [f"capacity-{uuid.uuid4().hex[:12]}" for _ in range(max(1, MESSAGES // TURNS_PER_VISITOR))]
    jobs = [(visitors[i % len(visitors)], text) for i, text in enumerate(measured)]
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(Path(tmp))
        try:
            servers.start_actions()
            servers.start_rasa()
            for text in warm:
                post(servers.url, "capacity-warm-up", text)
            rasa_pid, actions_pid = servers.rasa.pid, servers.actions.pid
            rasa_cpu, actions_cpu = cpu_seconds(rasa_pid), cpu_seconds(actions_pid)
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                latencies = list(pool.map(lambda job: post(servers.url, *job), jobs))
            elapsed = time.perf_counter() - start
            rasa_cpu, actions_cpu = cpu_seconds(rasa_pid) - rasa_cpu, cpu_seconds(actions_pid) - actions_cpu
            rss, actions_rss = rss_mib(rasa_pid), rss_mib(actions_pid)
        finally:
            servers.stop_all()
    print(f"{MESSAGES} unique messages at concurrency {CONCURRENCY} from {len(visitors)} visitors "
          f"(after {WARM_UP} warm-up messages)")
    print(f"  Rasa server CPU:      {rasa_cpu:.1f} s  -> {MESSAGES / rasa_cpu:.1f} messages/s per core")
    print(f"  action server CPU:    {actions_cpu:.1f} s")
    print(f"  both together:        {MESSAGES / (rasa_cpu + actions_cpu):.1f} messages/s per core")
    print(f"  wall clock:           {elapsed:.1f} s  -> {MESSAGES / elapsed:.1f} messages/s "
          f"(p50 {statistics.median(latencies) * 1000:.0f} ms; depends on the machine's other load)")
    print(f"  RSS after the run:    Rasa {rss:.0f} MiB, actions {actions_rss:.0f} MiB")
    print(f"  load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
