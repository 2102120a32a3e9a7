"""`make bench`: speed and memory of the assistant, as figures (no pass/fail).

Starts the trained assistant on free ports (or uses BENCH_URL if set, then
start-up and memory are not measured), then prints:
  - start-up time to the first answer,
  - p50/p95/p99 latency and messages per second at concurrency 1 and 8,
  - the Rasa server's resident memory after the load.
The machine is small and noisy: compare ratios from one run, not runs.
"""
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tooling.servers import Servers

MESSAGES = [
    "what is imago therapy", "how much does it cost", "how many sessions will we need",
    "does imago actually work", "how do i find an imago therapist", "hi", "thanks",
    "what's the weather tomorrow", "i want to end my life", "what happens in a session",
]
REQUESTS_PER_LEVEL = int(os.environ.get("BENCH_REQUESTS", "160"))


def post(url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    reply.raise_for_status()
    return time.perf_counter() - start


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def load(url: str, concurrency: int, total: int):
    senders = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(concurrency * 4)]
    jobs = [(senders[i % len(senders)], MESSAGES[i % len(MESSAGES)]) for i in range(total)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(lambda job: post(url, *job), jobs))
    elapsed = time.perf_counter() - start
    return latencies, total / elapsed


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    servers = None
    url = os.environ.get("BENCH_URL")
    if not url:
        servers = Servers(Path(tempfile.mkdtemp(prefix="imago-bench-")))
        servers.start_actions()
        started = time.perf_counter()
        servers.start_rasa()
        post(servers.url, "bench-first", "what is imago therapy")
        print(f"start-up to first answer: {time.perf_counter() - started:.1f} s")
        url = servers.url
    try:
        for _ in range(10):  # warm-up
            post(url, "bench-warm", MESSAGES[0])
        for concurrency in (1, 8):
            latencies, rate = load(url, concurrency, REQUESTS_PER_LEVEL)
            ms = [x * 1000 for x in latencies]
            print(
                f"concurrency {concurrency}: p50 {percentile(ms, 50):.0f} ms, "
                f"p95 {percentile(ms, 95):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
                f"mean {statistics.mean(ms):.0f} ms, {rate:.1f} messages/s ({len(ms)} requests)"
            )
        if servers:
            print(f"Rasa server resident memory: {rss_mib(servers.rasa.pid):.0f} MiB")
            print(f"action server resident memory: {rss_mib(servers.actions.pid):.0f} MiB")
    finally:
        if servers:
            servers.stop_all()


if __name__ == "__main__":
    main()
