"""The pure parts of `make bench` (scripts/measure/bench.py, bench_messages.py, stock_bot.py):
the messages, the statistics, the alternation, the table, the stock bot's cache and bad settings."""
import statistics

import pytest

from safety.detector import default_detector
from scripts.measure import bench, bench_messages, bench_train, stock_bot
from tooling.servers import ROOT
from understanding.split import split_questions


@pytest.fixture(scope="module")
def sources():
    return bench_messages.faq_questions(), bench_messages.off_topic_texts()


@pytest.fixture(scope="module")
def default_run(sources):
    """As many messages as a default run sends (start-ups, warm-up, two levels of 540)."""
    count = 2 * bench.STARTUP_ROUNDS + bench.WARMUP + 2 * 540
    detector = default_detector()
    return bench_messages.messages(count, *sources, keep=lambda text: detector.detect(text) is None)


def test_a_default_run_has_enough_messages_and_none_repeats(default_run):
    keys = [" ".join(t.lower().split()) for t in default_run]
    assert len(default_run) == 2 * bench.STARTUP_ROUNDS + bench.WARMUP + 2 * 540
    assert len(set(keys)) == len(keys)


def test_one_in_four_is_off_topic_and_the_rest_are_held_out_questions(sources, default_run):
    faq, off_topic = sources

    def base(text):
        for opener in bench_messages.OPENERS:
            for closer in bench_messages.CLOSERS:
                if opener and text.startswith(opener) or closer and text.endswith(closer):
                    stripped = text[len(opener):len(text) - len(closer)]
                    if stripped in faq or stripped in off_topic:
                        return stripped
        return text

    bases = [base(t) for t in default_run]
    assert all(b in faq or b in off_topic for b in bases)
    off = [i for i, b in enumerate(bases) if b in off_topic]
    assert off == list(range(bench_messages.OFF_TOPIC_EVERY - 1, len(bases), bench_messages.OFF_TOPIC_EVERY))


def test_plain_texts_come_before_dressed_up_ones(sources):
    faq, _ = sources
    off_topic = [f"off topic {n}" for n in range(10)]
    chosen = bench_messages.messages(60, faq, off_topic)
    assert all(t in faq for i, t in enumerate(chosen) if i % 4 != 3)  # 45 of 280: all plain
    assert sorted(chosen[3:40:4]) == sorted(off_topic)  # the 10 plain ones first
    later = chosen[43::4]  # then the same again, dressed up
    assert later and all(t not in off_topic and "off topic" in t for t in later)


def test_no_message_is_a_crisis_phrasing(default_run):
    detector = default_detector()
    assert [t for t in default_run if detector.detect(t)] == []


def test_the_keep_filter_drops_what_it_refuses():
    chosen = bench_messages.messages(6, ["a question", "i want to die"], ["off"],
                                     keep=lambda text: "die" not in text)
    assert not any("die" in t for t in chosen)
    assert len(set(chosen)) == 6


def test_openers_and_closers_add_no_question_of_their_own(sources):
    faq, off_topic = sources
    for text in faq + off_topic[:200]:
        parts = len(split_questions(text))
        for opener in bench_messages.OPENERS:
            for closer in bench_messages.CLOSERS:
                assert len(split_questions(f"{opener}{text}{closer}")) == parts, (opener, text, closer)


def test_too_many_asked_is_a_clear_error():
    with pytest.raises(ValueError, match="only 64 unique messages"):
        bench_messages.messages(100, ["a"], ["b"])


def test_the_same_seed_gives_the_same_messages(sources):
    assert bench_messages.messages(50, *sources) == bench_messages.messages(50, *sources)
    assert bench_messages.messages(50, *sources) != bench_messages.messages(50, *sources, seed=99)


def test_percentile_interpolates_like_the_inclusive_method():
    values = [float(x) for x in [7, 1, 30, 12, 4, 18, 2, 9, 40, 3, 11]]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    for q in (5, 50, 95, 99):
        assert bench.percentile(values, q) == pytest.approx(cuts[q - 1])
    assert bench.percentile(values, 0) == 1 and bench.percentile(values, 100) == 40
    assert bench.percentile([5.0], 99) == 5.0
    with pytest.raises(ValueError):
        bench.percentile([], 50)


def test_blocks_cover_everything_in_order_with_sizes_within_one():
    items = list(range(540))
    parts = bench.blocks(items, 8)
    assert [x for part in parts for x in part] == items
    assert {len(p) for p in parts} == {67, 68}


def test_the_first_bot_alternates_block_by_block():
    order = [bench.block_order(["P", "S"], b) for b in range(4)]
    assert [x for pair in order for x in pair] == ["P", "S", "S", "P", "P", "S", "S", "P"]


def test_senders_change_every_few_messages_and_both_bots_get_the_same():
    ids = bench.senders("run1", "c1", 12)
    assert len(set(ids)) == 3 and ids[:bench.SENDER_TURNS] == [ids[0]] * bench.SENDER_TURNS
    assert ids == bench.senders("run1", "c1", 12)


def test_the_table_reads_like_the_issues():
    # The figures of issue 12's own table.
    project = bench.Figures(p50=30.9, p95=40.0, p99=43.8, throughput=30.9, rss=1006, rss_actions=116, startup=30.0)
    stock = bench.Figures(p50=36.5, p95=50.0, p99=55.5, throughput=24.3, rss=1073, startup=20.0)
    rows = bench.table(project, stock).splitlines()
    assert rows[0] == "| | this project | stock bot | ratio | target (ratio) |"
    assert rows[2] == "| p50 at concurrency 1 | 30.9 ms | 36.5 ms | 0.85 | ≤ 0.5: not met |"
    assert rows[3] == "| p99 at concurrency 1 | 43.8 ms | 55.5 ms | 0.79 |  |"
    assert rows[4] == "| throughput at concurrency 8 | 30.9 msg/s | 24.3 msg/s | 1.27 | ≥ 2.0 with make run-cluster: not met |"
    assert rows[5] == "| RSS | 1,006 MiB + 116 MiB (action server) | 1,073 MiB | 1.05 | ≤ 0.8: not met |"
    assert rows[6] == "| start-up | 30.0 s | 20.0 s | 1.50 | ≤ 0.7: not met |"


def test_targets_met_and_figures_not_measured():
    project = bench.Figures(p50=10, p95=12, p99=14, throughput=60)
    stock = bench.Figures(p50=30, p95=40, p99=50, throughput=25, rss=1000, startup=20)
    rows = bench.table(project, stock).splitlines()
    assert rows[2].endswith("| 0.33 | ≤ 0.5: met |")
    assert rows[4].endswith("| 2.40 | ≥ 2.0 with make run-cluster: met |")
    assert rows[5] == "| RSS | n/a | 1,000 MiB | n/a | ≤ 0.8 |"
    assert rows[6] == "| start-up | n/a | 20.0 s | n/a | ≤ 0.7 |"


def test_resident_memory_adds_the_children(tmp_path):
    def process(pid, kib, children=()):
        (tmp_path / str(pid) / "task" / str(pid)).mkdir(parents=True)
        (tmp_path / str(pid) / "status").write_text(f"Name:\tpython\nVmRSS:\t{kib} kB\nThreads:\t4\n")
        (tmp_path / str(pid) / "task" / str(pid) / "children").write_text(" ".join(map(str, children)))

    process(10, 2048, children=[11])
    process(11, 1024, children=[12])
    process(12, 512)
    assert bench.rss_mib(10, tmp_path) == 3.5
    assert bench.rss_mib(12, tmp_path) == 0.5


@pytest.mark.parametrize("url", ["localhost:5005", "ftp://host:1", "http://", "http://host:port"])
def test_a_malformed_bench_url_is_a_clear_error(url):
    with pytest.raises(SystemExit, match="BENCH_URL"):
        bench.check_url(url)


def test_a_bench_url_nobody_answers_is_a_clear_error():
    from tooling.servers import free_port

    with pytest.raises(SystemExit, match="does not answer"):
        bench.check_url(f"http://127.0.0.1:{free_port()}")


@pytest.mark.parametrize("value", ["abc", "-5", "10", "1e3"])
def test_bench_requests_must_be_a_number_big_enough(monkeypatch, value):
    monkeypatch.setenv("BENCH_REQUESTS", value)
    with pytest.raises(SystemExit, match="BENCH_REQUESTS"):
        bench.requests_per_level()


def test_the_stock_bot_cache_needs_a_model_and_this_rasa(tmp_path):
    folder = tmp_path / "stock-bot"
    (folder / "models").mkdir(parents=True)
    assert stock_bot.cached_model(folder) is None  # nothing trained
    (folder / "models" / "20260101-000000-x.tar.gz").write_bytes(b"")
    assert stock_bot.cached_model(folder) is None  # no version stamp: not known to be finished
    (folder / stock_bot.VERSION_FILE).write_text("3.5.0")
    assert stock_bot.cached_model(folder) is None  # another Rasa's
    (folder / stock_bot.VERSION_FILE).write_text(stock_bot.RASA_VERSION)
    assert stock_bot.cached_model(folder) == folder / "models" / "20260101-000000-x.tar.gz"


@pytest.mark.parametrize("value", ["yes", "2", "true"])
def test_bench_train_is_one_or_zero(monkeypatch, value):
    monkeypatch.setenv("BENCH_TRAIN", value)
    with pytest.raises(SystemExit, match="BENCH_TRAIN"):
        bench.train_wanted()


def test_the_answer_only_edit_changes_an_answer_and_not_the_training_data(tmp_path):
    from scripts.build.build_training_data import training_text

    topic = ROOT / "data" / "faq" / f"{bench_train.EDITED_TOPIC}.yml"
    copy = tmp_path / topic.name
    copy.write_text(topic.read_text(encoding="utf-8"), encoding="utf-8")
    bench_train.edit_an_answer(copy)
    before, after = topic.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
    assert before != after
    assert training_text(before, topic.name) == training_text(after, topic.name)


def test_the_answer_edit_refuses_a_file_without_answers(tmp_path):
    plain = tmp_path / "x.yml"
    plain.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n')
    with pytest.raises(SystemExit, match="no answer to edit"):
        bench_train.edit_an_answer(plain)


def test_the_training_table_shows_the_targets():
    rows = bench_train.table({"full training": 312.4, "answer-only retrain": 17.2}).splitlines()
    assert rows[2] == "| full training | 312 s | ≤ 180 s: not met |"
    assert rows[3] == "| answer-only retrain | 17 s | ≤ 30 s: met |"
