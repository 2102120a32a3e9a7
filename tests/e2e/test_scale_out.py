"""Scale-out on the real engines: two Rasa replicas behind nginx (scripts/serve/cluster.py, as
`make run-cluster` starts them), sharing a throwaway PostgreSQL database (created by Rasa through
`login_db`, dropped after) and Redis locks under a key prefix of their own.

Needs PostgreSQL (PGHOST, PGPORT, PGUSER, PGPASSWORD; default postgres@localhost:5432), Redis
(REDIS_HOST, REDIS_PORT; default localhost:6379) and Debian's nginx (`make nginx`). Without one of
them the tests are skipped, saying how to get it; with CI=true they fail instead.
One cluster for the module: each replica takes 30-60 s to load TensorFlow. The replica-kill test is
last, since it leaves one replica."""
import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import redis
import requests
import sqlalchemy as sa

from safety import crisis_lines
from scripts.serve import cluster as cluster_module
from tests.e2e.sockets import Visitor
from tests.helpers import new_sender, texts
from tooling.servers import ROOT, free_port

pytestmark = pytest.mark.filterwarnings("ignore")  # SQLAlchemy 1.4's deprecation notes inside Rasa

ASK_FORMAT, ASK_PLACE = "How would you like to do Imago therapy", "Where do you live?"
AU_LINE = crisis_lines.every_turn_line("AU")
WEBHOOK = "/webhooks/rest/webhook"
TOKEN = f"scale-out-{uuid.uuid4().hex}"  # each replica's admin API (make reload) on its port + 1000


def unavailable(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="module")
def postgres():
    settings = dict(host=os.environ.get("PGHOST", "localhost"), port=int(os.environ.get("PGPORT", "5432")),
                    username=os.environ.get("PGUSER", "postgres"), password=os.environ.get("PGPASSWORD"))
    admin = sa.create_engine(sa.engine.URL.create("postgresql", database="postgres", **settings),
                             isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError:
        admin.dispose()
        unavailable(f"PostgreSQL is not reachable on {settings['host']}:{settings['port']}: start it (Debian: "
                    "`apt-get install postgresql && service postgresql start`) or set PGHOST, PGPORT, PGUSER, PGPASSWORD")
    name = f"imago_scale_{uuid.uuid4().hex[:12]}"  # created by the replicas' store (login_db)
    user = quote(settings["username"], safe="") + (":" + quote(settings["password"], safe="")
                                                   if settings["password"] else "")
    url = f"postgresql://{user}@{settings['host']}:{settings['port']}/{name}?login_db=postgres"
    try:
        yield url, sa.create_engine(sa.engine.URL.create("postgresql", database=name, **settings))
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def lock_url():
    host, port = os.environ.get("REDIS_HOST", "localhost"), int(os.environ.get("REDIS_PORT", "6379"))
    client = redis.StrictRedis(host=host, port=port, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError:
        unavailable(f"Redis is not reachable on {host}:{port}: start it (Debian: `apt-get install redis-server "
                    "&& service redis-server start`) or set REDIS_HOST and REDIS_PORT")
    prefix = f"imagotest{uuid.uuid4().hex[:12]}"
    try:
        yield f"redis://{host}:{port}/0?key_prefix={prefix}"
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture(scope="module")
def cluster(postgres, lock_url, tmp_path_factory):
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        unavailable("nginx is missing: `make nginx` (scripts/serve/install_nginx.sh, Debian's package)")
    tmp = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "TRACKER_STORE_URL": postgres[0], "LOCK_STORE_URL": lock_url,
           "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_API_TOKEN": TOKEN,
           # Every client here is 127.0.0.1: the per-address limits would throttle the tests themselves.
           "RATE_LIMIT_CONVERSATION": "off", "RATE_LIMIT_ADDRESS": "off"}
    running = cluster_module.Cluster(tmp / "state", "127.0.0.1", free_port(), [free_port(), free_port()],
                                     free_port(), None, env, logs=tmp)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def say(url: str, sender: str, text: str, timeout: float = 120):
    reply = requests.post(url + WEBHOOK, json={"sender": sender, "message": text}, timeout=timeout)
    assert reply.status_code == 200, reply.text
    return reply.json()


def upstreams_since(cluster, start: int, count: int):
    """The replicas ("127.0.0.1:port") that answered the REST turns logged after byte `start`, once
    `count` are logged (nginx writes a line just after the reply, so the last may come a moment late)."""
    deadline = time.time() + 10
    while True:
        log = (cluster.state / "nginx-access.log").read_text()[start:]
        found = [line.split()[1] for line in log.splitlines() if line.endswith(f"POST {WEBHOOK}")]
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.1)


def log_size(cluster) -> int:
    path = cluster.state / "nginx-access.log"
    return len(path.read_text()) if path.exists() else 0


def stored_events(engine, sender: str):
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT type_name, data FROM events WHERE sender_id LIKE :s ORDER BY id"),
                                  {"s": f"%{sender}"}).fetchall()
    return [(kind, json.loads(data)) for kind, data in rows]


def test_tickets_taken_at_the_same_moment_by_two_servers_are_all_different(lock_url):
    # Two lock stores with their own connections, as two replicas have (scripts/serve/locks.py):
    # Rasa's own RedisLockStore can give both the same ticket, and then both run their turn.
    from rasa.utils.endpoints import EndpointConfig

    from scripts.serve import stores
    from scripts.serve.locks import AtomicRedisLockStore

    config = stores.lock_store(lock_url)
    replicas = [AtomicRedisLockStore(EndpointConfig(**config)) for _ in range(2)]
    conversation, per_replica = new_sender("tickets"), 25
    barrier = threading.Barrier(2)

    def take(store):
        barrier.wait()
        return [store.issue_ticket(conversation, 60) for _ in range(per_replica)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        tickets = [t for taken in pool.map(take, replicas) for t in taken]
    assert sorted(tickets) == list(range(2 * per_replica)), tickets
    assert len(replicas[0].get_lock(conversation).tickets) == 2 * per_replica
    replicas[0].delete_lock(conversation)


def test_turns_alternating_between_replicas_keep_the_form_and_the_country(cluster):
    sender, start = new_sender("alternate"), log_size(cluster)
    assert say(cluster.url, sender, "hi, im in australia")[-1]["text"] == AU_LINE
    asked = say(cluster.url, sender, "Find a therapist")
    assert ASK_FORMAT in texts(asked) and asked[-1]["text"] == AU_LINE
    asked = say(cluster.url, sender, "online")
    assert ASK_PLACE in texts(asked) and asked[-1]["text"] == AU_LINE
    guidance = say(cluster.url, sender, "near melbourne")
    assert "online course" in texts(guidance) and ASK_PLACE not in texts(guidance)
    assert guidance[-1]["text"] == AU_LINE
    replicas = upstreams_since(cluster, start, 4)
    # Round-robin: every turn on the other replica than the one before.
    assert len(replicas) == 4 and len(set(replicas)) == 2, replicas
    assert all(a != b for a, b in zip(replicas, replicas[1:])), replicas


QUESTIONS = {"what is imago therapy": "Imago", "how much does imago therapy cost?": "$700"}


def test_simultaneous_messages_for_one_sender_on_two_replicas_are_stored_whole_and_in_turn(cluster, postgres):
    sender, rounds = new_sender("together"), 4
    sent = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(rounds):
            barrier = threading.Barrier(2)

            def send(index: int, text: str):
                barrier.wait()  # both requests leave together, one to each replica
                return text, say(cluster.replica_url(index), sender, text)

            sent += list(pool.map(send, [0, 1], list(QUESTIONS)))
    for text, reply in sent:
        assert QUESTIONS[text] in texts(reply), reply
    events = stored_events(postgres[1], sender)
    users = [data["text"] for kind, data in events if kind == "user"]
    assert sorted(users) == sorted(text for text, _ in sent), users  # none lost, none doubled
    # In turn: after each question, its own answer and the wait for the next message, before the next
    # question (two turns interleaved would put both questions first, or an answer after the wrong one).
    turns, current = [], None
    for kind, data in events:
        if kind == "user":
            current = {"text": data["text"], "bot": [], "listened": False}
            turns.append(current)
        elif current is not None and kind == "bot":
            assert not current["listened"], events
            current["bot"].append(data.get("text") or "")
        elif current is not None and kind == "action" and data.get("name") == "action_listen":
            current["listened"] = True
    assert len(turns) == 2 * rounds
    for turn in turns:
        assert turn["listened"] and QUESTIONS[turn["text"]] in "\n".join(turn["bot"]), turn
    # (Not the timestamps: Rasa stamps a message when it arrives, before it waits for the lock, so a
    # waiting turn's question is stamped before the end of the turn it waited for; the order is the id's.)


def test_socketio_long_polling_through_the_balancer_stays_on_one_replica(cluster):
    # engine.io's long-polling session lives in one replica: round-robin would send the next
    # poll to the other, which knows no such session. Sticky by client address keeps it whole.
    async def visit():
        visitor = await Visitor(cluster.url).connect()
        try:
            session = await visitor.session(uuid.uuid4().hex)
            replies = []
            for text in ["hi, im in australia", "Find a therapist", "online"]:
                replies.append(await visitor.turn({"message": text, "session_id": session}, quiet=1.0))
            return replies
        finally:
            await visitor.close()

    start = log_size(cluster)
    greeting, asked_format, asked_place = asyncio.run(visit())
    assert greeting[-1]["text"] == AU_LINE
    assert ASK_FORMAT in texts(asked_format) and ASK_PLACE in texts(asked_place), (asked_format, asked_place)
    time.sleep(0.5)  # nginx logs each request just after it answers
    log = (cluster.state / "nginx-access.log").read_text()[start:]
    polled = {line.split()[1] for line in log.splitlines() if "/socket.io/" in line}
    assert len(polled) == 1, log


def test_make_reload_loads_the_model_into_every_replica(cluster):
    admin_ports = [port + 1000 for port in cluster.replica_ports]
    env = {k: v for k, v in os.environ.items() if k not in ("RASA_ADMIN_PORT", "RASA_REPLICAS")}
    env.update(RASA_API_TOKEN=TOKEN, RASA_ADMIN_PORTS=" ".join(map(str, admin_ports)))
    run = subprocess.run([str(ROOT / "scripts" / "serve" / "reload.sh"), "--no-train"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    for port in admin_ports:
        assert f"reloaded: the server on http://127.0.0.1:{port} runs model" in run.stdout, run.stdout
    # Both replicas answer with the model they reloaded.
    for index in range(len(cluster.replica_ports)):
        answer = texts(say(cluster.replica_url(index), new_sender("reloaded"), "what is imago therapy"))
        assert "Imago Relationship Therapy" in answer


def test_a_killed_replica_costs_only_the_requests_in_flight(cluster):
    # A conversation in the form before the crash, idle while it happens.
    sender = new_sender("survivor")
    say(cluster.url, sender, "hi, im in australia")
    assert ASK_FORMAT in texts(say(cluster.url, sender, "Find a therapist"))

    results, stop_at = [], time.time() + 12

    def load():
        # A fresh sender each message: a request cut off by the crash leaves its conversation's
        # Redis lock until it expires (TICKET_LOCK_LIFETIME), which would only slow this load down.
        while time.time() < stop_at:
            began = time.time()
            try:
                status = requests.post(cluster.url + WEBHOOK, timeout=60,
                                       json={"sender": new_sender("load"), "message": "what is imago therapy"}
                                       ).status_code
            except requests.RequestException:
                status = 0
            results.append((began, time.time(), status))

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(4)
    kill_began = time.time()
    cluster.kill_replica(1)
    killed = time.time()  # the process is gone
    for worker in workers:
        worker.join()
    failed = [r for r in results if r[2] != 200]
    in_flight = [r for r in results if r[0] <= killed and r[1] >= kill_began]
    assert len(results) > 8, results  # load on both replicas before, on one after
    assert all(r in in_flight for r in failed), (failed, kill_began)  # only requests cut off by the crash
    assert len(failed) <= len(workers)
    after = [r for r in results if r[0] > killed]
    assert after and all(r[2] == 200 for r in after)
    # The form goes on where it was, on the replica left, with the country said before the crash.
    asked = say(cluster.url, sender, "online")
    assert ASK_PLACE in texts(asked) and asked[-1]["text"] == AU_LINE
    guidance = say(cluster.url, sender, "near melbourne")
    assert "online course" in texts(guidance) and guidance[-1]["text"] == AU_LINE
