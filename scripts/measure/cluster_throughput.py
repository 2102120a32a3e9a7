"""Throughput at concurrency 8: `make run-cluster`'s balancer against one of its replicas, in one run.

    RATE_LIMIT_ADDRESS=off RATE_LIMIT_CONVERSATION=off make run-cluster   # in one terminal, then:
    PYTHONPATH=. .venv/bin/python scripts/measure/cluster_throughput.py

BALANCER_URL (default http://127.0.0.1:RASA_PORT) and REPLICA_URL (the first replica, RASA_PORT + 1)
get CLUSTER_ROUNDS (6) rounds of CLUSTER_REQUESTS (80) messages each, alternating which goes first,
so both see the same machine; each round's messages are dealt to the two alternately. Every message
is sent once in the run: the held-out visitor questions (tests/nlu/held_out.yml, never trained on)
and off-topic ones, made unique with an opening word when they run out. Prints the median messages
per second of each and the ratio; no pass/fail. Replies must not be rate-limited (checked).
"""
import itertools
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

from channels.limiter import SLOW_DOWN_REPLY

ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 8
OFF_TOPIC = ["what's the weather tomorrow", "who won the game last night", "recommend a pizza place",
             "how do i reset my router", "tell me a joke", "what time is it in tokyo"]
OPENERS = ["", "hi, ", "ok ", "so ", "quick question: ", "hello, ", "hey ", "um ", "right, ", "also "]


def unique_messages(count: int):
    held_out = yaml.safe_load((ROOT / "tests/nlu/held_out.yml").read_text(encoding="utf-8"))
    questions = [q for topic in held_out["topics"].values() for q in topic] + OFF_TOPIC
    messages = [opener + q for opener, q in itertools.product(OPENERS, questions)]
    if count > len(messages):
        raise SystemExit(f"only {len(messages)} unique messages: lower CLUSTER_ROUNDS or CLUSTER_REQUESTS")
    return messages[:count]


def load(url: str, messages) -> float:
    """Messages per second for these messages at CONCURRENCY."""
    senders = [f"throughput-{uuid.uuid4().hex[:8]}" for _ in range(CONCURRENCY * 4)]

    def post(job):
        index, text = job
        reply = requests.post(f"{url}/webhooks/rest/webhook", timeout=120,
                              json={"sender": senders[index % len(senders)], "message": text})
        reply.raise_for_status()
        if any(SLOW_DOWN_REPLY in (m.get("text") or "") for m in reply.json()):
            raise SystemExit("a reply was rate-limited: start the cluster with RATE_LIMIT_ADDRESS=off "
                             "RATE_LIMIT_CONVERSATION=off, or the figures measure the limiter, not the model")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(post, enumerate(messages)))
    return len(messages) / (time.perf_counter() - start)


def main() -> None:
    port = int(os.environ.get("RASA_PORT", "5005"))
    targets = {"balancer (all replicas)": os.environ.get("BALANCER_URL", f"http://127.0.0.1:{port}"),
               "one replica": os.environ.get("REPLICA_URL", f"http://127.0.0.1:{port + 1}")}
    rounds = int(os.environ.get("CLUSTER_ROUNDS", "6"))
    per_round = int(os.environ.get("CLUSTER_REQUESTS", "80"))
    messages = iter(unique_messages(2 * rounds * per_round + 2 * CONCURRENCY))
    for url in targets.values():  # a first request each, so no one pays a cold start
        load(url, [next(messages) for _ in range(CONCURRENCY)])
    rates = {name: [] for name in targets}
    for round_number in range(rounds):
        # One block of messages per round, dealt alternately: both get the same mix of questions.
        block = [next(messages) for _ in range(2 * per_round)]
        order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
        for offset, name in enumerate(order):
            rates[name].append(load(targets[name], block[offset::2]))
            print(f"round {round_number + 1}: {name}: {rates[name][-1]:.1f} msg/s", flush=True)
    mean = {name: statistics.median(r) for name, r in rates.items()}
    names = list(targets)
    print(f"\nconcurrency {CONCURRENCY}, {rounds} rounds of {per_round} unique messages each, alternating (medians):")
    for name in names:
        print(f"  {name:24} {mean[name]:6.1f} msg/s  ({targets[name]})")
    print(f"  ratio                    {mean[names[0]] / mean[names[1]]:6.2f}x  (per round: "
          + ", ".join(f"{a / b:.2f}" for a, b in zip(rates[names[0]], rates[names[1]])) + ")")


if __name__ == "__main__":
    main()
