"""`make review`: the content catalogue for a clinical reviewer, one page in HTML and Markdown.

For every article topic (data/faq/<topic>.yml): the answer as the visitor
sees it (chat messages, buttons, the crisis line the turn ends with), the
example questions, the source, and the last review (date, reviewer, what it
covers). Reviews older than REVIEW_MAX_MONTHS months (default 12) are flagged.
Then the handoff texts for every country and language. Both are produced the
way the server produces them: responses through replies/nlg.py (which fills in
safety/crisis_lines.yml) and the turn through channels/turn.py, so the page
shows the real texts, not copies. No training, no server: a few seconds.

Usage: review.py [--out DIR] [--today YYYY-MM-DD] [--max-months N] [PROJECT_DIR]
Writes DIR/catalogue.html and DIR/catalogue.md (default results/review/).
"""
import argparse
import asyncio
import datetime
import html
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

# Rasa warns about slot auto-fill whenever a domain is read; it says nothing about this content.
warnings.filterwarnings("ignore", message="Slot auto-fill has been removed")

ROOT = Path(__file__).resolve().parents[2]

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from channels.turn import arrange_turn  # noqa: E402
from replies.nlg import AssistantNLG  # noqa: E402
from safety import crisis_lines  # noqa: E402
from scripts.editors.check_content import review_date  # noqa: E402

CHANNEL = "rest"  # the website's channels split text and attach buttons the same way
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French"}
# The handoff turns a visitor can get: (title, response, language, about, helping_with).
# Each handoff rule answers with the handoff, then utter_after_handoff.
HANDOFFS = [
    ("Crisis", "utter_handoff_crisis", "en", "self", None),
    ("Crisis, someone else in danger", "utter_handoff_crisis", "en", "someone_else", None),
    ("Crisis (Spanish)", "utter_handoff_crisis", "es", "self", None),
    ("Crisis (French)", "utter_handoff_crisis", "fr", "self", None),
    ("Crisis, someone else in danger (Spanish)", "utter_handoff_crisis", "es", "someone_else", None),
    ("Crisis, someone else in danger (French)", "utter_handoff_crisis", "fr", "someone_else", None),
    ("Abuse", "utter_handoff_abuse", "en", "self", None),
    ("Abuse, someone else", "utter_handoff_abuse", "en", "someone_else", None),
    ("Abuse (Spanish)", "utter_handoff_abuse", "es", "self", None),
    ("Abuse (French)", "utter_handoff_abuse", "fr", "self", None),
    ("The lines again", "utter_crisis_lines", "en", "self", None),
    ("The lines again (Spanish)", "utter_crisis_lines", "es", "self", None),
    ("The lines again (French)", "utter_crisis_lines", "fr", "self", None),
    ("How do I help them? (after a crisis about someone else)", "utter_help_someone", "en", "someone_else", "crisis"),
    ("How do I help them? (after abuse of someone else)", "utter_help_someone", "en", "someone_else", "abuse"),
    ("How do I help them? (no one in danger mentioned yet: no handoff)", "utter_help_someone", "en", "self", None),
]
ONE_RESPONSE = {"utter_crisis_lines", "utter_help_someone"}  # no utter_after_handoff after these
AFTER_HANDOFF = "utter_after_handoff"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # clamp 31 Jan + 1 month to the end of February
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def is_stale(reviewed: Optional[datetime.date], today: datetime.date, max_months: int) -> bool:
    """No usable date, or more than max_months months before today."""
    return reviewed is None or add_months(reviewed, max_months) < today


def load_topics(root: Path) -> List[Dict[str, Any]]:
    topics = []
    for path in sorted((root / "data" / "faq").glob("*.yml")):
        raw = path.read_text(encoding="utf-8")
        content = yaml.safe_load(raw) or {}
        name = path.stem
        title = re.search(r"^# Topic: (.*)$", raw, re.M)
        examples = [line.strip()[2:].strip()
                    for block in content.get("nlu") or [] if block.get("intent") == f"faq/{name}"
                    for line in (block.get("examples") or "").splitlines() if line.strip().startswith("- ")]
        review = content.get("review") if isinstance(content.get("review"), dict) else {}
        topics.append({
            "name": name,
            "file": path.relative_to(root).as_posix(),
            "title": title.group(1).strip() if title else name,
            "examples": examples,
            "responses": (content.get("responses") or {}),
            "review": review,
            "reviewed": review_date(review.get("date")) if review.get("date") else None,
        })
    return topics


def load_domain(root: Path, topics: List[Dict[str, Any]]) -> Domain:
    """domain.yml plus the article answers, which live beside their questions in data/faq/."""
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    for topic in topics:
        domain["responses"].update(topic["responses"])
    return Domain.from_dict(domain)


def tracker_for(domain: Domain, language: str = "en", about: str = "self",
                country: Optional[str] = None, helping_with: Optional[str] = None) -> DialogueStateTracker:
    """A conversation whose last message got the rule layer's verdict (language, about) from `country`."""
    message = UserUttered("(message)", parse_data={"intent": {"name": "crisis", "confidence": 1.0},
                                                   "safety": {"language": language, "about": about}},
                          metadata={"country": country} if country else None)
    helping = [SlotSet("helping_with", helping_with)] if helping_with else []
    return DialogueStateTracker.from_events("review", [message, *helping], slots=domain.slots)


def as_visitor_sees(turn: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Chat bubbles: the channels split text on blank lines and put buttons under the last part."""
    bubbles = []
    for message in turn:
        if (message.get("custom") or {}).get("handoff"):
            handoff = message["custom"]["handoff"]
            bubbles.append({"payload": f"handoff payload: type {handoff['type']}, country {handoff['country']}, "
                                       f"{len(handoff['lines'])} line{'s' if len(handoff['lines']) != 1 else ''} (sent first, for the website widget)"})
            continue
        parts = [p for p in (message.get("text") or "").strip().split("\n\n") if p] or [""]
        bubbles += [{"text": part} for part in parts]
        if message.get("buttons"):
            bubbles[-1]["buttons"] = [(b.get("title", ""), b.get("payload", "")) for b in message["buttons"]]
    return bubbles


async def render_turns(domain: Domain, topics: List[Dict[str, Any]]) -> Dict[str, Any]:
    nlg = AssistantNLG(domain=domain)
    answers = {}
    for topic in topics:
        response = await nlg.generate(f"utter_faq/{topic['name']}", tracker_for(domain), CHANNEL)
        turn = arrange_turn([response] if response else [], CHANNEL, crisis_lines.DEFAULT_COUNTRY)
        answers[topic["name"]] = as_visitor_sees(turn)
    handoffs = {}
    for country in crisis_lines.all_countries():
        for title, action, language, about, helping_with in HANDOFFS:
            tracker = tracker_for(domain, language, about, country, helping_with)
            said = [await nlg.generate(action, tracker, CHANNEL)]
            if action not in ONE_RESPONSE:
                said.append(await nlg.generate(AFTER_HANDOFF, tracker, CHANNEL))
            handoffs[(country, title)] = as_visitor_sees(arrange_turn([m for m in said if m], CHANNEL, country))
    return {"answers": answers, "handoffs": handoffs}


# ---- the page, twice: HTML (everything escaped) and Markdown ----

def md(text: str) -> str:
    """Markdown-safe inline text."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(text))


def bubbles_md(bubbles: List[Dict[str, Any]]) -> List[str]:
    out = []
    for b in bubbles:
        if "payload" in b:
            out.append(f"*{md(b['payload'])}*\n")
            continue
        out.append("```text\n" + b["text"].replace("```", "'''") + "\n```")
        for title, payload in b.get("buttons", []):
            out.append(f"- button **{md(title)}** (sends \"{md(payload)}\")")
        out.append("")
    return out


def bubbles_html(bubbles: List[Dict[str, Any]]) -> str:
    out = []
    for b in bubbles:
        if "payload" in b:
            out.append(f'<p class="payload">{html.escape(b["payload"])}</p>')
            continue
        buttons = "".join(f'<span class="button" title="sends: {html.escape(payload)}">{html.escape(title)}</span>'
                          for title, payload in b.get("buttons", []))
        out.append(f'<div class="bubble">{html.escape(b["text"])}</div>'
                   + (f'<div class="buttons">{buttons}</div>' if buttons else ""))
    return "\n".join(out)


def review_line(topic: Dict[str, Any], stale: bool, max_months: int) -> str:
    review = topic["review"]
    if not review:
        return "NO REVIEW RECORD"
    when = topic["reviewed"].isoformat() if topic["reviewed"] else f"unreadable date {review.get('date')!r}"
    flag = f" — STALE: older than {max_months} months" if stale else ""
    covers = f" (covers {review['covers']})" if review.get("covers") else ""
    return f"{when} by {review.get('reviewer') or 'nobody named'}{covers}{flag}"


def write_markdown(topics, turns, today, max_months, stale, out: Path) -> None:
    doc = [f"# Content catalogue for clinical review ({today.isoformat()})", "",
           f"{len(topics)} article topics; {len(stale)} with a review older than {max_months} months "
           f"or missing: {', '.join(stale) or 'none'}.",
           "Answers are shown as a visitor sees them on the website (one box per chat message); "
           "every turn that is not a handoff ends with the crisis line for the visitor's country (US shown).", ""]
    for topic in topics:
        is_old = topic["name"] in stale
        doc += [f"## {md(topic['title'])} (`{topic['name']}`){' — STALE REVIEW' if is_old else ''}", "",
                f"- File: `{topic['file']}`",
                f"- Source: {md(topic['review'].get('source') or 'none given')}",
                f"- Last review: {md(review_line(topic, is_old, max_months))}", "",
                "Answer:", ""]
        doc += bubbles_md(turns["answers"][topic["name"]])
        doc += [f"Example questions ({len(topic['examples'])}):", ""]
        doc += [f"- {md(e)}" for e in topic["examples"]] + [""]
    doc += ["# Handoff texts", "",
            "What a visitor in crisis or in an abusive relationship receives, for every country with its own "
            f"lines (INTL: any other country) and in {' and '.join(LANGUAGES.values())}. "
            "Numbers come from safety/crisis_lines.yml.", ""]
    for country in crisis_lines.all_countries():
        doc += [f"## {country}", "", f"Every other turn ends with: {md(crisis_lines.every_turn_line(country))}", ""]
        for title, *_ in HANDOFFS:
            doc += [f"### {country}: {title}", ""] + bubbles_md(turns["handoffs"][(country, title)])
    out.write_text("\n".join(doc) + "\n", encoding="utf-8")


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.bubble{white-space:pre-wrap;background:#eef3f8;border-radius:.6rem;padding:.5rem .8rem;margin:.3rem 0;max-width:40rem}
.buttons{margin:.2rem 0 .6rem}.button{display:inline-block;border:1px solid #468;border-radius:1rem;padding:.1rem .7rem;margin:.1rem}
.payload{color:#666;font-style:italic}.stale{color:#a00;font-weight:bold}details{margin:.5rem 0}
section{border-top:1px solid #ccc;margin-top:1.5rem}dt{font-weight:bold}"""


def write_html(topics, turns, today, max_months, stale, out: Path) -> None:
    e = html.escape
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>Content catalogue {e(today.isoformat())}</title><style>{STYLE}</style></head><body>",
             f"<h1>Content catalogue for clinical review ({e(today.isoformat())})</h1>",
             f"<p>{len(topics)} article topics; <span class=\"stale\">{len(stale)}</span> with a review older than "
             f"{max_months} months or missing: {e(', '.join(stale) or 'none')}.</p>",
             "<p>Answers as a visitor sees them on the website (one box per chat message); every turn that is not "
             "a handoff ends with the crisis line for the visitor's country (US shown).</p>",
             "<nav><ul>" + "".join(f'<li><a href="#topic-{e(t["name"])}">{e(t["title"])}</a></li>' for t in topics)
             + '<li><a href="#handoffs">Handoff texts</a></li></ul></nav>']
    for topic in topics:
        is_old = topic["name"] in stale
        review = e(review_line(topic, is_old, max_months))
        review_class = ' class="stale"' if is_old else ""
        parts += [f'<section id="topic-{e(topic["name"])}"><h2>{e(topic["title"])} <code>{e(topic["name"])}</code></h2>',
                  "<dl>", f"<dt>File</dt><dd><code>{e(topic['file'])}</code></dd>",
                  f"<dt>Source</dt><dd>{e(topic['review'].get('source') or 'none given')}</dd>",
                  f"<dt>Last review</dt><dd{review_class}>{review}</dd>", "</dl>",
                  "<h3>Answer</h3>", bubbles_html(turns["answers"][topic["name"]]),
                  f"<details><summary>Example questions ({len(topic['examples'])})</summary><ul>"
                  + "".join(f"<li>{e(x)}</li>" for x in topic["examples"]) + "</ul></details></section>"]
    parts += ['<section id="handoffs"><h2>Handoff texts</h2>',
              "<p>What a visitor in crisis or in an abusive relationship receives, for every country with its own "
              "lines (INTL: any other country) and in English and Spanish. Numbers come from "
              "<code>safety/crisis_lines.yml</code>.</p>"]
    for country in crisis_lines.all_countries():
        parts += [f'<h3 id="handoff-{e(country)}">{e(country)}</h3>',
                  f"<p>Every other turn ends with: <q>{e(crisis_lines.every_turn_line(country))}</q></p>"]
        for title, *_ in HANDOFFS:
            parts += [f"<h4>{e(country)}: {e(title)}</h4>", bubbles_html(turns["handoffs"][(country, title)])]
    parts.append("</section></body></html>")
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")


def build(root: Path, out_dir: Path, today: datetime.date, max_months: int) -> Dict[str, Any]:
    topics = load_topics(root)
    turns = asyncio.run(render_turns(load_domain(root, topics), topics))
    stale = [t["name"] for t in topics if is_stale(t["reviewed"], today, max_months)]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_html(topics, turns, today, max_months, stale, out_dir / "catalogue.html")
    write_markdown(topics, turns, today, max_months, stale, out_dir / "catalogue.md")
    return {"topics": [t["name"] for t in topics], "stale": stale}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=str(ROOT))
    parser.add_argument("--out", default=None, help="folder for catalogue.html and catalogue.md")
    parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--max-months", type=int, default=int(os.environ.get("REVIEW_MAX_MONTHS") or 12))
    args = parser.parse_args()
    root = Path(args.project).resolve()
    out_dir = Path(args.out) if args.out else root / "results" / "review"
    today = datetime.date.fromisoformat(args.today) if args.today else datetime.date.today()
    result = build(root, out_dir, today, args.max_months)
    print(f"wrote {out_dir / 'catalogue.html'} and {out_dir / 'catalogue.md'}: {len(result['topics'])} topics, "
          f"handoffs for {len(crisis_lines.all_countries())} countries")
    if result["stale"]:
        print(f"{len(result['stale'])} review(s) older than {args.max_months} months or missing: "
              f"{', '.join(result['stale'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
