"""`make bench`: the assistant against the stock `rasa init` bot, measured in one run (issue 12).

Both bots run here, on the same Rasa and Python: the project through
tooling/servers.py (Rasa and the action server as `make run` starts them, rate
limits off) and the stock bot with plain `rasa run` (scripts/measure/stock_bot.py
builds it once into .build/stock-bot). The machine is small and shared, so
everything is measured alternating, and only the ratios mean much:
  1. start-up, process start to the first answer: the stock bot, then the
     project; after the load a second round the other way round (mean of both);
  2. a few warm-up messages each, not counted;
  3. concurrency 1: BENCH_REQUESTS messages (540), request by request
     (project, stock, project, ...): p50, p95 and p99;
  4. concurrency 8: BENCH_REQUESTS more in BLOCKS blocks per bot, interleaved
     and the first bot alternating (P S S P ...): messages per second;
  5. resident memory of each Rasa server after the load, and of the project's
     action server apart.
Every message is unique in the run and both bots get the same list
(scripts/measure/bench_messages.py). Prints the ratio table with the issue's
targets beside it and writes it to results/bench/bench.md.

BENCH_URL=http://host:port measures an already-running project (e.g. `make
run-cluster`) against the stock bot: its start-up and memory are then n/a.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import requests

from scripts.measure import bench_messages, bench_train, stock_bot
from tooling.servers import ROOT, Servers, stop

CONCURRENCY = 8
BLOCKS = 8  # per bot at concurrency 8
SENDER_TURNS = 5  # messages per visitor (sender id) before a new one starts
WARMUP = 5
STARTUP_ROUNDS = 2
RESULTS = ROOT / "results" / "bench" / "bench.md"
# Issue 12's targets, as ratios project / stock.
TARGETS = {
    "p50": ("≤", 0.5, ""),
    "throughput": ("≥", 2.0, " with make run-cluster"),
    "rss": ("≤", 0.8, ""),
    "startup": ("≤", 0.7, ""),
}


@dataclass
class Figures:
    p50: float  # ms, concurrency 1
    p95: float
    p99: float
    throughput: float  # messages/s, concurrency 8
    rss: Optional[float] = None  # MiB, the Rasa server
    rss_actions: Optional[float] = None  # MiB, the action server (the project's)
    startup: Optional[float] = None  # s, process start to first answer


class Bot:
    """One bot's REST webhook, a keep-alive session per client thread."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url.rstrip("/")
        self._local = threading.local()

    def post(self, sender: str, text: str) -> float:
        """Seconds to the reply; an error stops the run (a benchmark of failures measures nothing)."""
        session = getattr(self._local, "session", None) or requests.Session()
        self._local.session = session
        start = time.perf_counter()
        reply = session.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=120)
        elapsed = time.perf_counter() - start
        if reply.status_code != 200 or not isinstance(reply.json(), list):
            raise RuntimeError(f"the {self.name} answered HTTP {reply.status_code}")
        return elapsed


# -- the pure parts (tests/unit/test_bench.py) -----------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile, interpolated between the two nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def blocks(items: Sequence, count: int) -> List[List]:
    """`items` in `count` consecutive blocks whose sizes differ by at most one."""
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def block_order(bots: Sequence, block: int) -> List:
    """Which bot goes first alternates block by block (A B, B A, A B ...), so drift hits both alike."""
    return list(bots) if block % 2 == 0 else list(reversed(bots))


def ratio(project: Optional[float], stock: Optional[float]) -> Optional[float]:
    return None if project is None or stock is None or stock == 0 else project / stock


def verdict(key: str, value: Optional[float]) -> str:
    op, bound, note = TARGETS[key]
    target = f"{op} {bound}{note}"
    if value is None:
        return target
    met = value <= bound if op == "≤" else value >= bound
    return f"{target}: {'met' if met else 'not met'}"


def _mib(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:,.0f} MiB"


def _num(value: Optional[float], unit: str, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} {unit}"


def _ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(project: Figures, stock: Figures) -> str:
    """The issue's table: the project's figure, the stock bot's, the ratio and the target."""
    project_rss = None if project.rss is None else project.rss + (project.rss_actions or 0)
    rss_text = _mib(project.rss)
    if project.rss is not None and project.rss_actions is not None:
        rss_text += f" + {_mib(project.rss_actions)} (action server)"
    rows = [
        ("p50 at concurrency 1", _num(project.p50, "ms"), _num(stock.p50, "ms"),
         ratio(project.p50, stock.p50), verdict("p50", ratio(project.p50, stock.p50))),
        ("p99 at concurrency 1", _num(project.p99, "ms"), _num(stock.p99, "ms"), ratio(project.p99, stock.p99), ""),
        ("throughput at concurrency 8", _num(project.throughput, "msg/s"), _num(stock.throughput, "msg/s"),
         ratio(project.throughput, stock.throughput),
         verdict("throughput", ratio(project.throughput, stock.throughput))),
        ("RSS", rss_text, _mib(stock.rss), ratio(project_rss, stock.rss), verdict("rss", ratio(project_rss, stock.rss))),
        ("start-up", _num(project.startup, "s"), _num(stock.startup, "s"), ratio(project.startup, stock.startup),
         verdict("startup", ratio(project.startup, stock.startup))),
    ]
    lines = ["| | this project | stock bot | ratio | target (ratio) |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {p} | {s} | {_ratio(r)} | {t} |" for name, p, s, r, t in rows]
    return "\n".join(lines)


def rss_mib(pid: int, proc: Path = Path("/proc")) -> float:
    """Resident memory of a process and its descendants (Sanic may fork workers)."""
    total_kib = 0
    for line in (proc / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total_kib += int(line.split()[1])
    for children in (proc / str(pid) / "task").glob("*/children"):
        for child in children.read_text().split():
            total_kib += rss_mib(int(child), proc) * 1024
    return total_kib / 1024


# -- the measurements --------------------------------------------------------------------------

def senders(run: str, level: str, count: int) -> List[str]:
    """A sender id per message: a new visitor every SENDER_TURNS messages."""
    return [f"bench-{run}-{level}-{i // SENDER_TURNS}" for i in range(count)]


def alternate_c1(bots: Sequence[Bot], texts: Sequence[str], run: str) -> Dict[str, List[float]]:
    """Each message to each bot in turn, one request at a time: latencies in ms."""
    latencies: Dict[str, List[float]] = {bot.name: [] for bot in bots}
    for sender, text in zip(senders(run, "c1", len(texts)), texts):
        for bot in bots:
            latencies[bot.name].append(bot.post(sender, text) * 1000)
    return latencies


def _block_at(bot: Bot, texts: Sequence[str], lane_senders: Sequence[Sequence[str]]) -> float:
    """CONCURRENCY visitors at once, each sending its share of `texts` in turn: seconds for all."""
    lanes = [list(zip(lane_senders[k], texts[k::CONCURRENCY])) for k in range(CONCURRENCY)]

    def visit(lane: List[Tuple[str, str]]) -> None:
        for sender, text in lane:
            bot.post(sender, text)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for done in [pool.submit(visit, lane) for lane in lanes]:
            done.result()
    return time.perf_counter() - start


def alternate_c8(bots: Sequence[Bot], texts: Sequence[str], run: str) -> Dict[str, float]:
    """BLOCKS blocks per bot at concurrency 8, interleaved: messages per second."""
    seconds = {bot.name: 0.0 for bot in bots}
    for b, block in enumerate(blocks(texts, BLOCKS)):
        lane_senders = [senders(run, f"c8-{b}-{k}", len(block)) for k in range(CONCURRENCY)]
        for bot in block_order(bots, b):
            seconds[bot.name] += _block_at(bot, block, lane_senders)
    return {name: len(texts) / s for name, s in seconds.items()}


def time_startup(start: Callable[[], None], bot: Bot, text: str, run: str) -> Tuple[float, float]:
    """Seconds from starting the process to the first answered message, and to its webhook listening."""
    began = time.perf_counter()
    start()
    listening = time.perf_counter() - began
    bot.post(f"bench-{run}-start-{uuid.uuid4().hex[:6]}", text)
    return time.perf_counter() - began, listening


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SystemExit(f"BENCH_URL must look like http://host:port, not {url!r}")
    try:
        parts.port
    except ValueError:
        raise SystemExit(f"BENCH_URL has a bad port: {url!r}")
    try:
        requests.get(f"{url.rstrip('/')}/webhooks/rest/", timeout=10)
    except requests.RequestException as e:
        raise SystemExit(f"BENCH_URL {url} does not answer ({type(e).__name__}): is the server running?")
    return url


def requests_per_level() -> int:
    raw = os.environ.get("BENCH_REQUESTS", "540")
    if not raw.isdigit() or int(raw) < BLOCKS * CONCURRENCY:
        raise SystemExit(f"BENCH_REQUESTS must be a whole number of at least {BLOCKS * CONCURRENCY}, not {raw!r}")
    return int(raw)


def header(count: int, url: Optional[str], load_before: Tuple[float, ...]) -> List[str]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    mix = f"1 in {bench_messages.OFF_TOPIC_EVERY} off-topic"
    return [
        f"`make bench`, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or '?'}, "
        f"Rasa {stock_bot.RASA_VERSION}, Python {sys.version.split()[0]}, {os.cpu_count()} cores "
        f"(load average {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end).",
        f"Project: {url or 'started here (tooling/servers.py)'}; stock bot: `rasa init` (.build/stock-bot).",
        f"{count} requests per bot at concurrency 1 (alternating) and {count} at concurrency {CONCURRENCY} "
        f"({BLOCKS} blocks per bot, interleaved); every message unique ({mix}), the same list for both bots.",
    ]


def train_wanted() -> bool:
    raw = os.environ.get("BENCH_TRAIN", "0")
    if raw not in ("0", "1", ""):
        raise SystemExit(f"BENCH_TRAIN must be 1 (also time the training) or 0, not {raw!r}")
    return raw == "1"


def main() -> None:
    count = requests_per_level()
    train = train_wanted()
    url = os.environ.get("BENCH_URL")
    if url:
        url = check_url(url)
    load_before = os.getloadavg()
    rounds = 1 if url else STARTUP_ROUNDS
    from safety.detector import default_detector
    detector = default_detector()
    texts = bench_messages.messages(
        2 * rounds + WARMUP + 2 * count, bench_messages.faq_questions(), bench_messages.off_topic_texts(),
        keep=lambda text: detector.detect(text) is None)
    startup_texts, texts = texts[:2 * rounds], texts[2 * rounds:]
    warmup, c1_texts, c8_texts = texts[:WARMUP], texts[WARMUP:WARMUP + count], texts[WARMUP + count:]

    model = stock_bot.build()
    tmp = Path(tempfile.mkdtemp(prefix="imago-bench-"))
    run = uuid.uuid4().hex[:8]
    stock_server = stock_bot.StockBot(model, tmp / "stock-rasa.log")
    stock = Bot("stock bot", stock_server.url)
    servers = None
    if not url:
        (tmp / "project").mkdir()
        servers = Servers(tmp / "project")
    startups: Dict[str, List[Tuple[float, float]]] = {"project": [], "stock bot": []}
    try:
        if servers:
            servers.start_actions()  # not timed: `make run` starts it beside Rasa
        project = Bot("project", url or servers.url)
        bots = [project, stock]
        print("start-up, round 1: the stock bot" + (", then the project" if servers else ""), flush=True)
        startups["stock bot"].append(time_startup(stock_server.start, stock, startup_texts[0], run))
        if servers:
            startups["project"].append(time_startup(servers.start_rasa, project, startup_texts[1], run))
        for sender, text in zip(senders(run, "warm", WARMUP), warmup):
            for bot in bots:
                bot.post(sender, text)

        print(f"concurrency 1: {count} messages per bot, alternating", flush=True)
        latencies = alternate_c1(bots, c1_texts, run)
        print(f"concurrency {CONCURRENCY}: {count} messages per bot in {BLOCKS} blocks each, interleaved", flush=True)
        throughput = alternate_c8(bots, c8_texts, run)
        rss = {"stock bot": rss_mib(stock_server.proc.pid)}
        if servers:
            rss["project"], rss["actions"] = rss_mib(servers.rasa.pid), rss_mib(servers.actions.pid)

        if servers and rounds > 1:
            print("start-up, round 2: the project, then the stock bot", flush=True)
            stop(servers.rasa)
            stock_server.stop()
            startups["project"].append(time_startup(servers.start_rasa, project, startup_texts[2], run))
            stop(servers.rasa)
            startups["stock bot"].append(time_startup(stock_server.start, stock, startup_texts[3], run))
    except (RuntimeError, requests.RequestException) as e:
        raise SystemExit(f"bench stopped: {e} (server logs in {tmp})")
    finally:
        stock_server.stop()
        if servers:
            servers.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)  # the logs and tracker store; kept above when the run failed

    figures = {}
    for bot in bots:
        ms = latencies[bot.name]
        figures[bot.name] = Figures(
            p50=percentile(ms, 50), p95=percentile(ms, 95), p99=percentile(ms, 99),
            throughput=throughput[bot.name], rss=rss.get(bot.name),
            rss_actions=rss.get("actions") if bot is project else None,
            startup=statistics.mean(t for t, _ in startups[bot.name]) if startups[bot.name] else None)
    p, s = figures["project"], figures["stock bot"]
    details = [
        f"p95 at concurrency 1: {p.p95:.1f} ms (project), {s.p95:.1f} ms (stock bot), ratio {p.p95 / s.p95:.2f}; "
        f"mean: {statistics.mean(latencies['project']):.1f} ms and {statistics.mean(latencies['stock bot']):.1f} ms.",
        "a visitor's first message (a new conversation) and the later ones, p50 at concurrency 1: " + "; ".join(
            f"{name} {percentile(ms[::SENDER_TURNS], 50):.1f} and "
            f"{percentile([x for i, x in enumerate(ms) if i % SENDER_TURNS], 50):.1f} ms"
            for name, ms in latencies.items()) + ".",
        "start-up, each round (of which listening, before the first message): " + "; ".join(
            f"{name} " + ", ".join(f"{t:.1f} s ({ready:.1f} s)" for t, ready in xs)
            for name, xs in startups.items() if xs) + ".",
    ]
    report = "\n\n".join(["\n".join(header(count, url, load_before)), table(p, s), "\n".join(details)])
    print("\n" + report)
    if train:  # after the servers have stopped, so that neither measurement slows the other
        print("\nBENCH_TRAIN: a full training, then an answer-only retrain (several minutes)", flush=True)
        training = bench_train.table(bench_train.time_training())
        print("\n" + training)
        report += "\n\n" + training
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
