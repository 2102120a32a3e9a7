"""`make review`: the catalogue lists every topic and every handoff, flags stale reviews, escapes HTML."""
import datetime
import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from safety import crisis_lines
from scripts.editors import review

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Slot auto-fill")]
TOPICS = sorted(p.stem for p in (ROOT / "data" / "faq").glob("*.yml"))


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "main"
    shutil.copytree(ROOT / "data", copy / "data")
    shutil.copy(ROOT / "domain.yml", copy / "domain.yml")
    return copy


def set_review_date(project: Path, topic: str, date: str) -> None:
    path = project / "data" / "faq" / f"{topic}.yml"
    text = path.read_text(encoding="utf-8")
    old = yaml.safe_load(text)["review"]["date"]
    path.write_text(text.replace(f'  date: "{old}"', f'  date: "{date}"'), encoding="utf-8")


def build(project: Path, today: str, max_months: int = 12):
    out = project / "out"
    result = review.build(project, out, datetime.date.fromisoformat(today), max_months)
    return result, (out / "catalogue.html").read_text(encoding="utf-8"), (out / "catalogue.md").read_text(encoding="utf-8")


def section(page: str, topic: str) -> str:
    start = page.index(f'<section id="topic-{topic}">')
    return page[start:page.index("</section>", start)]


def test_every_topic_with_its_answer_examples_source_and_review(project):
    result, page, markdown = build(project, "2023-06-01")
    assert result["topics"] == TOPICS
    for topic in TOPICS:
        content = yaml.safe_load((ROOT / "data" / "faq" / f"{topic}.yml").read_text(encoding="utf-8"))
        answer = content["responses"][f"utter_faq/{topic}"][0]["text"]
        part = section(page, topic)
        # The answer as sent: split into chat messages on blank lines, each one whole.
        for message in answer.strip().split("\n\n"):
            assert html.escape(message) in part
            assert message in markdown
        assert "Source:" in part
        assert html.escape(crisis_lines.every_turn_line("US")) in part
        examples = content["nlu"][0]["examples"].splitlines()
        assert html.escape(examples[-1][2:]) in part
        assert html.escape(content["review"]["source"]) in part
        assert html.escape(content["review"]["reviewer"]) in part
        assert content["review"]["date"] in part


def test_a_stale_review_is_flagged_and_only_that_one(project):
    for topic in TOPICS:
        set_review_date(project, topic, "2023-01-25")
    set_review_date(project, "cost", "2021-03-01")
    result, page, markdown = build(project, "2023-06-01", max_months=12)
    assert result["stale"] == ["cost"]
    assert "STALE" in section(page, "cost")
    assert "STALE" not in section(page, "duration")
    assert "## Cost of Imago therapy (`cost`) — STALE REVIEW" in markdown


def test_the_age_limit_is_configurable(project):
    for topic in TOPICS:
        set_review_date(project, topic, "2023-01-25")
    assert build(project, "2024-06-01", max_months=12)[0]["stale"] == TOPICS
    assert build(project, "2024-06-01", max_months=24)[0]["stale"] == []
    # Exactly twelve months is not yet older than twelve months.
    assert build(project, "2024-01-25", max_months=12)[0]["stale"] == []
    assert build(project, "2024-01-26", max_months=12)[0]["stale"] == TOPICS


def test_a_missing_review_record_is_flagged(project):
    path = project / "data" / "faq" / "formats.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("\nreview:")] + "\n", encoding="utf-8")
    result, page, _ = build(project, "2023-06-01")
    assert result["stale"] == ["formats"]
    assert "NO REVIEW RECORD" in section(page, "formats")


def test_html_escapes_everything(project):
    path = project / "data" / "faq" / "cost.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("examples: |\n", "examples: |\n    - <script>alert('x')</script> & <b>bold</b>\n", 1)
    text = text.replace("reviewer: Heidi Moawad, MD", "reviewer: <img src=x onerror=alert(1)>")
    path.write_text(text, encoding="utf-8")
    _, page, _ = build(project, "2023-06-01")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_handoffs_for_every_country_and_language_are_the_real_texts(project):
    _, page, markdown = build(project, "2023-06-01")
    handoffs = page[page.index('<section id="handoffs">'):]
    for country, entry in crisis_lines.all_countries().items():
        block = handoffs[handoffs.index(f'<h3 id="handoff-{country}">'):]
        block = block[:block.index("<h3", 5)] if "<h3" in block[5:] else block
        assert html.escape(entry["every_turn"]) in block
        for kind in ("crisis", "abuse"):
            for line in entry[kind]:
                assert html.escape(f"• {line['name']}: {line['how']}") in block
                # The Spanish and French handoffs use their wording where the file has one.
                for language in ("es", "fr"):
                    name = line.get(f"name_{language}") or line["name"]
                    assert html.escape(f"• {name}: {line.get('how_' + language) or line['how']}") in block
        for title, *_ in review.HANDOFFS:
            assert f"<h4>{country}: {html.escape(title)}</h4>" in block
            assert f"### {country}: {title}" in markdown
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name in ("utter_handoff_crisis", "utter_handoff_abuse", "utter_crisis_lines", "utter_after_handoff",
                 "utter_help_someone"):
        for variant in domain["responses"][name]:
            assert html.escape(variant["text"]) in handoffs


def test_make_review_writes_both_pages_in_seconds(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "editors" / "review.py"), "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "catalogue.html").stat().st_size > 0
    assert (tmp_path / "catalogue.md").stat().st_size > 0
    assert f"{len(TOPICS)} topics" in run.stdout
