"""`make soak`: load and fault figures for the assistant (not a test: it prints figures).

Starts its own servers (tooling/servers.py: Rasa and the action server on
free ports, the tracker store in a temporary folder), then:
  1. load: SOAK_MESSAGES messages (10,000) from SOAK_VISITORS (100)
     concurrent visitors, half over REST, half over Socket.IO;
  2. faults: the action server down, then hung; the tracker database
     locked by another connection;
  3. memory: SOAK_MINUTES (30) at SOAK_RATE (5) messages a second, the
     Rasa server's resident memory at start and end;
  4. kill -9 of the Rasa server under load, and a restart on the same
     database;
  5. a full disk: the tracker database on a 2 MB tmpfs (needs root; else
     skipped, and the table says why).
It ends with one table, and exits 1 when any message met an error or
cross-talk, an acknowledged turn was lost, or a fault check failed.

How a reply is attributed: every visitor sends its own country in the
metadata, so every turn that is not a handoff ends with that country's
crisis line (channels/turn.py); a turn ending with another country's line
went to the wrong visitor. Socket.IO replies carry no id, so there the line
also marks the end of a turn: messages a visitor did not ask for (between
its turns, or after its last) are cross-talk too.
A turn is acknowledged when its reply came (a REST 200, the end of a
Socket.IO turn), and lost when the tracker store (SQLite `events`,
type_name 'user', under the id channels/turn.py namespaces) lacks its text.
No message text or sender id is printed.
"""
import asyncio
import errno
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import aiohttp
import socketio

from channels.turn import ERROR_REPLY, NOT_SAVED_REPLY, TIMEOUT_REPLY, conversation_id
from safety import crisis_lines
from tooling.servers import Servers

MESSAGES = int(os.environ.get("SOAK_MESSAGES", "10000"))
VISITORS = int(os.environ.get("SOAK_VISITORS", "100"))
MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
RATE = float(os.environ.get("SOAK_RATE", "5"))  # messages a second in the memory phase
KILL_AFTER = float(os.environ.get("SOAK_KILL_AFTER", "20"))  # seconds of load before the kill -9
LOCK_SECONDS = float(os.environ.get("SOAK_LOCK_SECONDS", "12"))
# Past the server's own 30 s turn time-out (channels/turn.py), plus queueing.
TURN_WAIT = 90.0
RSS_TARGET = 10.0  # per cent, issue 11

# A visitor's questions in words of our own (no training example), none
# naming a place, a language or two questions at once, so each message
# reaches Rasa whole and the crisis line stays the visitor's country's.
QUESTIONS = [
    "what exactly is imago therapy", "can you explain imago relationship therapy to me",
    "roughly how much would imago sessions set us back", "is imago covered by our health insurance",
    "how many sessions does imago usually take", "does imago therapy really help couples",
    "what happens during a typical imago session", "what is the couples dialogue exercise",
    "who came up with imago therapy", "is imago a good fit for people who are not married",
    "can imago help after someone cheated", "what are the downsides of imago therapy",
    "how is imago different from gottman therapy", "can we do imago therapy over video",
    "is imago useful before we move in together", "where does the information here come from",
    "what kind of couples benefit from imago", "are imago weekend workshops worth it",
]
OFF_TOPIC = [
    "what is the tallest mountain on earth", "write me a poem about pizza", "how do i fix a flat bike tyre",
    "recommend a good movie for tonight", "hello there", "thanks, that helps",
]
CRISIS = "i want to end my life"
FAQ = "what is imago therapy"  # tests/e2e/test_socketio.py: its answer names its source
FORM = ("Find a therapist", "idk", "Chicago")  # tests/e2e/test_server.py: the last step needs the action server
COUNTRIES = [c for c in ("US", "CA", "GB", "IE", "AU", "NZ", "IN") if c in crisis_lines.all_countries()]
TURN_ENDS = {crisis_lines.every_turn_line(c, lang) for c in crisis_lines.all_countries()
             for lang in (None, *crisis_lines.LINE_LANGUAGES)}


def script(visitor: int, count: int) -> List[str]:
    """A visitor's messages: mostly questions, one in four off-topic, in an order its own."""
    pool = QUESTIONS[visitor % len(QUESTIONS):] + QUESTIONS[:visitor % len(QUESTIONS)]
    return [OFF_TOPIC[(visitor + i) % len(OFF_TOPIC)] if i % 4 == 3 else pool[i % len(pool)]
            for i in range(count)]


def shares(total: int, parts: int) -> List[int]:
    """`total` split into `parts` near-equal whole shares."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# ---- judging a turn ---------------------------------------------------------

def is_handoff(message: Dict) -> bool:
    """A handoff payload, as REST ({"custom": {"handoff"}}) or Socket.IO ({"handoff"}) sends it."""
    return bool(message.get("handoff") or (message.get("custom") or {}).get("handoff"))


def handoff_country(message: Dict) -> Optional[str]:
    return (message.get("handoff") or (message.get("custom") or {}).get("handoff") or {}).get("country")


def judge(messages: Sequence[Dict], country: str) -> str:
    """What a turn's reply was: answer, handoff, error, timeout, silence,
    unended (no crisis line last) or foreign (another visitor's turn); with
    " (not saved)" when the reply says the turn could not be stored."""
    kind = _judge(messages, country)
    texts = [m.get("text") or "" for m in messages]
    return f"{kind} (not saved)" if NOT_SAVED_REPLY in texts and kind in GOOD else kind


def _judge(messages: Sequence[Dict], country: str) -> str:
    texts = [m.get("text") or "" for m in messages if m.get("text") != NOT_SAVED_REPLY]
    if ERROR_REPLY in texts:
        return "error"
    if TIMEOUT_REPLY in texts:
        return "timeout"
    if messages and is_handoff(messages[0]):
        return "handoff" if handoff_country(messages[0]) == country else "foreign"
    if not texts:
        return "silence"
    if texts[-1] != crisis_lines.every_turn_line(country):
        return "foreign" if texts[-1] in TURN_ENDS else "unended"
    return "answer" if any(t and t not in TURN_ENDS for t in texts) else "silence"


GOOD = {"answer", "handoff"}


@dataclass(frozen=True)
class Ack:
    """A turn the server acknowledged: its conversation, the text sent, when, and how it was answered."""
    conversation: str
    text: str
    at: float
    kind: str


def unstored(acks: Iterable[Ack], stored: Dict[str, Counter]) -> List[Ack]:
    """The acknowledged turns whose text the store does not hold for their
    conversation (each stored message accounts for one turn)."""
    left = {k: Counter(v) for k, v in stored.items()}
    missing = []
    for ack in acks:
        texts = left.get(ack.conversation, Counter())
        if texts[ack.text] > 0:
            texts[ack.text] -= 1
        else:
            missing.append(ack)
    return missing


def stored_texts(db: Path, conversations: Iterable[str]) -> Dict[str, Counter]:
    """The visitors' messages in the tracker store, by conversation id."""
    wanted = set(conversations)
    found: Dict[str, Counter] = {c: Counter() for c in wanted}
    with sqlite3.connect(db, timeout=60) as con:
        for sender, data in con.execute("SELECT sender_id, data FROM events WHERE type_name = 'user'"):
            if sender in wanted:
                found[sender][json.loads(data).get("text")] += 1
    return found


# ---- memory -----------------------------------------------------------------

def descendants(pid: int, proc: Path = Path("/proc")) -> List[int]:
    """`pid` and every process below it (Rasa may start workers)."""
    parents: Dict[int, List[int]] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # The name in brackets may hold spaces: the parent id is 2 fields after its ")".
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def rss_kib(pid: int, proc: Path = Path("/proc")) -> int:
    """Resident memory of `pid` and its children (VmRSS), in KiB."""
    total = 0
    for each in descendants(pid, proc):
        try:
            for line in (proc / str(each) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:  # it ended meanwhile
            continue
    return total


# ---- visitors ---------------------------------------------------------------

@dataclass
class Visitor:
    """One visitor: its channel, its id there and its country (the metadata that tags its replies)."""
    channel: str  # "rest" or "socketio"
    name: str
    country: str

    @property
    def conversation(self) -> str:
        return conversation_id(self.channel, self.name)


def make_visitors(count: int, prefix: str) -> List[Visitor]:
    run = uuid.uuid4().hex[:6]
    return [Visitor("rest" if i % 2 == 0 else "socketio",
                    f"{prefix}-{run}-{i}" if i % 2 == 0 else uuid.uuid4().hex, COUNTRIES[i % len(COUNTRIES)])
            for i in range(count)]


class TurnFailed(Exception):
    pass


class RestLine:
    """A visitor's REST calls: one turn is one POST."""

    def __init__(self, visitor: Visitor, url: str, http: aiohttp.ClientSession) -> None:
        self.visitor, self.url, self.http = visitor, url, http
        self.stray = 0  # REST cannot receive what it did not ask for
        self.reopened = 0

    async def open(self) -> None:
        return None

    async def turn(self, text: str) -> List[Dict]:
        body = {"sender": self.visitor.name, "message": text, "metadata": {"country": self.visitor.country}}
        try:
            async with self.http.post(f"{self.url}/webhooks/rest/webhook", json=body) as reply:
                if reply.status != 200:
                    raise TurnFailed(f"HTTP {reply.status}")
                return await reply.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise TurnFailed(type(e).__name__)

    async def close(self) -> None:
        return None


class SocketLine:
    """A visitor's Socket.IO session (session persistence, as the widget).
    Replies carry no id, so the crisis line that ends each turn delimits it;
    anything received outside a turn is counted in `stray`."""

    def __init__(self, visitor: Visitor, url: str) -> None:
        self.visitor, self.url = visitor, url
        self.client: Optional[socketio.AsyncClient] = None
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.stray = 0
        self.connected = False
        self.reopened = 0  # sessions the server dropped, opened again as the widget does

    async def open(self) -> None:
        # request_timeout: the widget's socket.io-client waits 20 s to connect (engineio's own default is 5 s).
        self.client = socketio.AsyncClient(reconnection=False, request_timeout=20)
        confirmed = asyncio.Event()
        self.client.on("bot_uttered", self.inbox.put_nowait)
        self.client.on("session_confirm", lambda _data: confirmed.set())
        self.client.on("disconnect", self._dropped)
        try:
            # Long-polling: the pinned aiohttp predates engineio's websocket client (tests/e2e/test_socketio.py).
            await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"],
                                      wait_timeout=TURN_WAIT)
            await self.client.emit("session_request", {"session_id": self.visitor.name})
            await asyncio.wait_for(confirmed.wait(), TURN_WAIT)
        except (socketio.exceptions.SocketIOError, asyncio.TimeoutError, OSError) as e:
            raise TurnFailed(f"no session ({type(e).__name__})")
        self.connected = True

    def _dropped(self) -> None:
        self.connected = False
        self.inbox.put_nowait(None)  # ends a turn waiting for its reply

    def drain(self) -> None:
        while not self.inbox.empty():
            if self.inbox.get_nowait() is not None:
                self.stray += 1

    async def turn(self, text: str) -> List[Dict]:
        if not self.connected:
            # Like the widget after a dropped connection: a new socket, the same session id.
            self.reopened += 1
            await self.open()
        self.drain()
        event = {"message": text, "session_id": self.visitor.name, "metadata": {"country": self.visitor.country}}
        try:
            await self.client.emit("user_uttered", event)
        except socketio.exceptions.SocketIOError as e:
            raise TurnFailed(type(e).__name__)
        messages: List[Dict] = []
        deadline = time.monotonic() + TURN_WAIT
        while True:
            # A handoff turn has no crisis line at its end: it ends when the bot goes quiet.
            wait = 3.0 if messages and is_handoff(messages[0]) else deadline - time.monotonic()
            try:
                message = await asyncio.wait_for(self.inbox.get(), max(wait, 0.01))
            except asyncio.TimeoutError:
                if messages and is_handoff(messages[0]):
                    return messages
                raise TurnFailed("no reply in time")
            if message is None:
                raise TurnFailed("disconnected")
            messages.append(message)
            if message.get("text") in TURN_ENDS:
                return messages

    async def close(self) -> None:
        await asyncio.sleep(2.0)  # a late message for someone else would come now
        self.drain()
        try:
            if self.client:
                await self.client.disconnect()
        except Exception:  # already gone (e.g. after the kill)
            pass


def line_for(visitor: Visitor, url: str, http: aiohttp.ClientSession):
    return RestLine(visitor, url, http) if visitor.channel == "rest" else SocketLine(visitor, url)


@dataclass
class Tally:
    """What one phase's messages met."""
    sent: int = 0
    acks: List[Ack] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)  # kind of failure -> count
    cross_talk: int = 0
    reopened: int = 0  # Socket.IO sessions the server dropped (each opened again)
    slowest: float = 0.0  # seconds, the longest turn

    def record(self, visitor: Visitor, text: str, reply: Optional[List[Dict]], failure: str = "",
               took: float = 0.0) -> str:
        self.sent += 1
        self.slowest = max(self.slowest, took)
        if self.sent % 1000 == 0:  # a sign of life in long runs
            print(f"  {self.sent} messages", flush=True)
        if reply is None:
            self.errors[failure] += 1
            return failure
        kind = judge(reply, visitor.country)
        self.acks.append(Ack(visitor.conversation, text, time.monotonic(), kind))
        if kind == "foreign":
            self.cross_talk += 1
        elif kind not in GOOD:
            self.errors[kind] += 1
        return kind


async def converse(line, visitor: Visitor, texts: Iterable[str], tally: Tally,
                   stop: Optional[asyncio.Event] = None, pause: float = 0.0) -> None:
    """One visitor's turns, one after another, until its texts run out or `stop` is set."""
    try:
        await line.open()
    except TurnFailed as e:
        # Each message the visitor could not send is an error; an endless script (stop given) counts once.
        for text in (texts if stop is None else [""]):
            tally.record(visitor, text, None, str(e))
        return
    for text in texts:
        if stop is not None and stop.is_set():
            break
        started = time.monotonic()
        try:
            reply = await line.turn(text)
            tally.record(visitor, text, reply, took=time.monotonic() - started)
        except TurnFailed as e:
            tally.record(visitor, text, None, str(e), time.monotonic() - started)
            if stop is not None and stop.is_set():
                break
        if pause:
            await asyncio.sleep(pause)
    await line.close()
    tally.cross_talk += line.stray
    tally.reopened += line.reopened


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TURN_WAIT),
                                 connector=aiohttp.TCPConnector(limit=0))


async def run_visitors(url: str, jobs: List[Tuple[Visitor, Iterable[str]]], tally: Tally,
                       stop: Optional[asyncio.Event] = None, pause: float = 0.0) -> None:
    async with session() as http:
        await asyncio.gather(*(converse(line_for(v, url, http), v, texts, tally, stop, pause)
                               for v, texts in jobs))


async def one_turn(url: str, visitor: Visitor, text: str) -> Tuple[str, List[Dict], float]:
    """A single turn: its verdict, its messages and how long it took."""
    async with session() as http:
        line = line_for(visitor, url, http)
        started = time.monotonic()
        try:
            await line.open()
            reply = await line.turn(text)
        except TurnFailed as e:
            return str(e), [], time.monotonic() - started
        finally:
            await line.close()
        return judge(reply, visitor.country), reply, time.monotonic() - started


def texts_of(reply: List[Dict]) -> str:
    return "\n".join(m.get("text") or "" for m in reply)


# ---- phases -----------------------------------------------------------------

def load(servers: Servers) -> Tally:
    visitors = make_visitors(VISITORS, "load")
    tally = Tally()
    jobs = [(v, script(i, n)) for i, (v, n) in enumerate(zip(visitors, shares(MESSAGES, len(visitors))))]
    asyncio.run(run_visitors(servers.url, jobs, tally))
    return tally


def lost_in(servers: Servers, acks: List[Ack]) -> List[Ack]:
    return unstored(acks, stored_texts(servers.tracker_db, {a.conversation for a in acks}))


class HungServer:
    """A socket on the action port that accepts connections and never answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.held: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:  # closed
                return

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def action_fault(servers: Servers, label: str) -> Tuple[bool, str]:
    """FAQ, crisis and the form's last step (the one that needs the action
    server) while it is down or hung; then, when hung, the conversation's next message."""
    url = servers.url
    faq, faq_reply, _ = asyncio.run(one_turn(url, make_visitors(1, "fault")[0], FAQ))
    faq_ok = faq == "answer" and "Source:" in texts_of(faq_reply)
    crisis, _, _ = asyncio.run(one_turn(url, make_visitors(1, "fault")[0], CRISIS))
    form_visitor = make_visitors(1, "form")[0]
    tally = Tally()
    asyncio.run(run_visitors(url, [(form_visitor, FORM[:2])], tally))
    kind, reply, took = asyncio.run(one_turn(url, form_visitor, FORM[2]))
    if kind == "answer" and "workshop" in texts_of(reply):
        form = f"guidance ({took:.0f} s)"
    elif kind in ("error", "timeout"):
        form = f"clear {kind} reply ({took:.0f} s)"
    else:
        form = f"{kind.upper()} ({took:.0f} s, only the crisis line)" if kind == "silence" else f"{kind} ({took:.0f} s)"
    ok = faq_ok and crisis == "handoff" and kind not in ("silence", "unended") and not kind.startswith("no ")
    detail = f"FAQ {'answered' if faq_ok else faq}, crisis {crisis}, form's last step: {form}"
    if label == "hung":
        after, _, took = asyncio.run(one_turn(url, form_visitor, FAQ))
        detail += f"; that conversation's next message: {after} after {took:.0f} s"
    return ok, detail


def db_locked(servers: Servers) -> Tuple[bool, str]:
    """Messages while another connection holds the tracker database exclusively."""
    holder = sqlite3.connect(servers.tracker_db, isolation_level=None)
    visitors = make_visitors(6, "locked")
    jobs = [(v, [CRISIS if i == 2 else FAQ]) for i, v in enumerate(visitors)]
    tally = Tally()

    async def while_locked() -> None:
        holder.execute("BEGIN EXCLUSIVE")
        try:
            sending = asyncio.ensure_future(run_visitors(servers.url, jobs, tally))
            await asyncio.sleep(LOCK_SECONDS)
        finally:
            holder.execute("ROLLBACK")
        await sending

    asyncio.run(while_locked())
    holder.close()
    kinds = Counter(a.kind for a in tally.acks) + tally.errors
    silent = [a for a in lost_in(servers, tally.acks) if a.kind in GOOD]
    crisis = [a.kind for a in tally.acks if a.text == CRISIS]
    after, _, _ = asyncio.run(one_turn(servers.url, visitors[0], FAQ))
    told = {"answer (not saved)", "handoff (not saved)"}  # the visitor was told it was not stored
    ok = (not silent and crisis in (["handoff"], ["handoff (not saved)"])
          and not (kinds.keys() - {"answer", "handoff", "error", "timeout"} - told))
    return ok, (f"{LOCK_SECONDS:.0f} s lock, {tally.sent} messages: {dict(kinds)}, slowest {tally.slowest:.0f} s; "
                f"lost silently {len(silent)}; after the lock: {after}")


def memory(servers: Servers) -> Tuple[Tally, int, int, int]:
    """SOAK_MINUTES at SOAK_RATE messages a second; RSS (KiB) at start, end and peak."""
    count = max(2, min(VISITORS, 10))
    visitors = make_visitors(count, "rss")
    pause = count / RATE  # each visitor's share of the rate (a turn's own time slows it a little)
    jobs = [(v, script(i, int(MINUTES * 60 / pause) + 1)) for i, v in enumerate(visitors)]
    tally = Tally()
    start = peak = rss_kib(servers.rasa.pid)

    async def run() -> None:
        nonlocal peak
        stop = asyncio.Event()
        visiting = asyncio.ensure_future(run_visitors(servers.url, jobs, tally, stop, pause))
        ends = time.monotonic() + MINUTES * 60
        while time.monotonic() < ends:
            await asyncio.sleep(min(10.0, max(ends - time.monotonic(), 0)))
            peak = max(peak, rss_kib(servers.rasa.pid))
        stop.set()
        await visiting

    asyncio.run(run())
    end = rss_kib(servers.rasa.pid)
    return tally, start, end, max(peak, end)


def kill_rasa(servers: Servers) -> None:
    """SIGKILL the Rasa server and anything it started (not our own process group)."""
    for pid in reversed(descendants(servers.rasa.pid)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    servers.rasa.wait()


def kill_under_load(servers: Servers) -> Tuple[bool, str, Tally]:
    count = max(2, min(VISITORS, 20))
    visitors = make_visitors(count, "kill")
    tally = Tally()
    killed_at = [0.0]

    async def until_killed() -> None:
        stop = asyncio.Event()
        endless = [(v, script(i, 10_000)) for i, v in enumerate(visitors)]
        visiting = asyncio.ensure_future(run_visitors(servers.url, endless, tally, stop))
        await asyncio.sleep(KILL_AFTER)
        killed_at[0] = time.monotonic()
        kill_rasa(servers)
        stop.set()
        await visiting

    asyncio.run(until_killed())
    before = [a for a in tally.acks if a.at < killed_at[0]]
    servers.start_rasa()  # same tracker database
    lost = lost_in(servers, before)
    after = Tally()
    asyncio.run(run_visitors(servers.url, [(v, [FAQ]) for v in visitors], after))
    continued = sum(1 for v in visitors if any(a.conversation == v.conversation and a.kind == "answer"
                                                   for a in after.acks))
    # The conversation went on: what came before the kill is still in it, now with the new message.
    stored = stored_texts(servers.tracker_db, [v.conversation for v in visitors])
    kept = sum(1 for v in visitors if stored[v.conversation][FAQ] >= 1 and sum(stored[v.conversation].values())
               >= 1 + sum(1 for a in before if a.conversation == v.conversation))
    ok = not lost and continued == kept == count
    # Turns cut by the kill were never acknowledged, so they are neither errors nor lost.
    cut = sum(tally.errors.values())
    detail = (f"{len(before)} turns acknowledged before the kill, {len(lost)} lost; {cut} cut by it; "
              f"{continued}/{count} conversations answered after the restart, {kept}/{count} with their history")
    return ok, detail, after


def can_mount() -> Optional[str]:
    """Why a tmpfs cannot be mounted here, or None."""
    if os.geteuid() != 0:
        if subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode != 0:
            return "not root and no password-less sudo"
    return None


def mount(args: List[str]) -> subprocess.CompletedProcess:
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    return subprocess.run([*sudo, *args], capture_output=True, text=True)


def fill(folder: Path) -> Path:
    """Write zeros into `folder` until the disk is full."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:  # unbuffered: nothing left to flush on close
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    return filler


def disk_full(servers: Servers) -> Tuple[Optional[bool], str]:
    why = can_mount()
    if why:
        return None, f"skipped: {why}"
    disk = Path(tempfile.mkdtemp(prefix="imago-soak-disk-"))
    mounted = mount(["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        return None, f"skipped: mount -t tmpfs failed ({mounted.stderr.strip()[:80]})"
    normal_db = servers.tracker_db
    try:
        servers.stop_all()
        servers.tracker_db = disk / "tracker.db"
        servers.env["TRACKER_DB"] = str(servers.tracker_db)
        servers.start_actions()
        servers.start_rasa()
        visitors = make_visitors(4, "disk")
        warm = Tally()
        asyncio.run(run_visitors(servers.url, [(visitors[0], [FAQ])], warm))
        filler = fill(disk)
        tally = Tally()
        jobs = [(visitors[0], [FAQ]), (visitors[1], [FAQ]), (visitors[2], [CRISIS]), (visitors[3], [FAQ])]
        asyncio.run(run_visitors(servers.url, jobs, tally))
        filler.unlink()
        silent = [a for a in lost_in(servers, tally.acks) if a.kind in GOOD]
        kinds = Counter(a.kind for a in tally.acks) + tally.errors
        crisis = [a.kind for a in tally.acks if a.text == CRISIS]
        after, _, _ = asyncio.run(one_turn(servers.url, visitors[0], FAQ))
        told = {"answer (not saved)", "handoff (not saved)"}  # the visitor was told it was not stored
        ok = (not silent and crisis in (["handoff"], ["handoff (not saved)"])
              and not (kinds.keys() - {"answer", "handoff", "error", "timeout"} - told))
        return ok, (f"2 MB tmpfs filled, {tally.sent} messages: {dict(kinds)}; lost silently {len(silent)}; "
                    f"space freed: {after}")
    finally:
        servers.stop_all()
        servers.tracker_db = normal_db
        servers.env["TRACKER_DB"] = str(normal_db)
        mount(["umount", str(disk)])


# ---- report -----------------------------------------------------------------

def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def growth(start: int, end: int) -> float:
    return (end - start) / start * 100 if start else float("nan")


def verdict(ok: Optional[bool]) -> str:
    return {True: "PASS", False: "FAIL", None: "SKIP"}[ok]


def main() -> int:
    servers = Servers(Path(tempfile.mkdtemp(prefix="imago-soak-")))
    print(f"soak: {MESSAGES} messages from {VISITORS} visitors, then faults, {MINUTES:g} min at "
          f"{RATE:g} msg/s, kill -9, full disk (logs in {servers.tmp})", flush=True)
    rows: List[Tuple[str, str]] = []
    faults: List[Optional[bool]] = []
    try:
        servers.start_actions()
        servers.start_rasa()
        started = time.monotonic()
        tally = load(servers)
        took = time.monotonic() - started
        lost = lost_in(servers, tally.acks)
        print(f"load done in {took:.0f} s", flush=True)

        servers.stop_actions()
        for label in ("down", "hung"):
            hung = HungServer(servers.action_port) if label == "hung" else None
            try:
                ok, detail = action_fault(servers, label)
            finally:
                if hung:
                    hung.close()
            faults.append(ok)
            rows.append((f"action server {label}", f"{verdict(ok)}: {detail}"))
            print(f"action server {label} done", flush=True)
        servers.start_actions()
        ok, detail = db_locked(servers)
        faults.append(ok)
        rows.append(("database locked", f"{verdict(ok)}: {detail}"))
        print("database locked done", flush=True)

        steady, rss_start, rss_end, rss_peak = memory(servers)
        steady_lost = lost_in(servers, steady.acks)
        print("memory done", flush=True)

        ok, detail, after_kill = kill_under_load(servers)
        faults.append(ok)
        rows.append(("kill -9 under load", f"{verdict(ok)}: {detail}"))
        print("kill -9 done", flush=True)

        ok, detail = disk_full(servers)
        faults.append(ok)
        rows.append(("disk full", f"{verdict(ok)}: {detail}"))
    finally:
        servers.stop_all()

    errors = tally.errors + steady.errors + after_kill.errors
    cross = tally.cross_talk + steady.cross_talk + after_kill.cross_talk
    lost_total = len(lost) + len(steady_lost)
    rss_growth = growth(rss_start, rss_end)
    figures = [
        ("messages (load)", f"{tally.sent} from {VISITORS} visitors (half REST, half Socket.IO) in "
                            f"{took:.0f} s, {tally.sent / took:.1f} msg/s, slowest turn {tally.slowest:.0f} s"),
        ("messages (memory)", f"{steady.sent} in {MINUTES:g} min, {steady.sent / (MINUTES * 60):.1f} msg/s"),
        ("errors", f"{sum(errors.values())} {dict(errors) if errors else ''}".strip()),
        ("cross-talk", str(cross)),
        ("Socket.IO reopens", f"{tally.reopened + steady.reopened} attempts after a dropped session (same "
                              "session id, as the widget does; the turn in flight got no reply)"),
        ("lost turns", f"{lost_total} of {len(tally.acks) + len(steady.acks)} acknowledged"),
        ("RSS start / end / peak", f"{mib(rss_start)} / {mib(rss_end)} / {mib(rss_peak)}"),
        ("RSS growth", f"{rss_growth:+.1f}% over {MINUTES:g} min (target under {RSS_TARGET:g}%)"),
        *rows,
    ]
    width = max(len(name) for name, _ in figures)
    print()
    for name, value in figures:
        print(f"{name.ljust(width)}  {value}")
    failed = sum(errors.values()) or cross or lost_total or False in faults
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
