"""`make nlu-report`: how well the model tells the topics apart, as one page for editors.

Runs Rasa's cross-validation (`rasa test nlu --cross-validation`, 3 folds by
default: each example is predicted by a model that never saw it), then turns
its report files into results/nlu-report/report.html and report.md:
  - per topic (faq/<topic>, from the ResponseSelector report) and per intent:
    precision, recall, F1 and the number of examples, worst first;
  - the most confused pairs, with the example questions that went wrong;
  - the confusion-matrix pictures Rasa draws.
A topic with a low F1 needs more, or clearer, example questions; a pair that
is often confused needs examples that say what sets the two apart.

Usage:
  nlu_report.py [--folds N] [--out DIR]        run the cross-validation, then build the page
  nlu_report.py --from-rasa-output DIR [--out DIR]   only build the page from Rasa's files
"""
import argparse
import html
import json
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
WEAK_F1 = 0.8  # below this, the page suggests adding or clarifying examples
# Issue 9's targets for the topics, printed beside the figures (not enforced here).
TARGET_MACRO_F1 = 0.90
TARGET_LOWEST_F1 = WEAK_F1
TOP_PAIRS = 10
EXAMPLES_PER_PAIR = 3
SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")
PICTURES = ["response_selection_confusion_matrix.png", "intent_confusion_matrix.png",
            "response_selection_histogram.png", "intent_histogram.png"]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def scores(report: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """One row per label of a Rasa report, lowest F1 first."""
    rows = []
    for label, values in (report or {}).items():
        if label in SUMMARY_ROWS or not isinstance(values, dict):
            continue
        rows.append({"label": label, "precision": values.get("precision", 0.0), "recall": values.get("recall", 0.0),
                     "f1": values.get("f1-score", 0.0), "support": values.get("support", 0),
                     "confused_with": values.get("confused_with") or {}})
    return sorted(rows, key=lambda r: (r["f1"], r["label"]))


def overall(report: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    report = report or {}
    weighted = report.get("weighted avg") or {}
    return {"accuracy": report.get("accuracy"), "f1": weighted.get("f1-score"), "support": weighted.get("support"),
            "macro_f1": (report.get("macro avg") or {}).get("f1-score")}


def targets(data: Dict[str, Any]) -> str:
    """The topics' macro F1 and lowest F1 beside issue 9's targets."""
    topics = [r for r in data["topics"] if r["support"] > 0]
    lowest = min(topics, key=lambda r: r["f1"]) if topics else None
    macro = data["topics_overall"].get("macro_f1")
    return (f"Topics: macro F1 {pct(macro)} (target >= {TARGET_MACRO_F1:.2f}); lowest "
            + (f"{lowest['label']} {pct(lowest['f1'])}" if lowest else "-")
            + f" (target: none below {TARGET_LOWEST_F1:.2f}).")


def confused_pairs(intent_errors: Optional[List[Dict]], response_errors: Optional[List[Dict]]) -> List[Dict[str, Any]]:
    """(asked about, taken for) pairs, most frequent first, with the questions that went wrong."""
    examples: Dict[Tuple[str, str], List[Tuple[float, str]]] = defaultdict(list)
    for error in response_errors or []:
        predicted = error.get("intent_response_key_prediction") or {}
        pair = (error.get("intent_response_key_target"), predicted.get("name"))
        examples[pair].append((predicted.get("confidence") or 0.0, error.get("text", "")))
    for error in intent_errors or []:
        predicted = error.get("intent_prediction") or {}
        pair = (error.get("intent"), predicted.get("name"))
        examples[pair].append((predicted.get("confidence") or 0.0, error.get("text", "")))
    counts = Counter({pair: len(found) for pair, found in examples.items()})
    pairs = []
    for (target, predicted), count in counts.most_common(TOP_PAIRS):
        # The most confident mistakes first: those examples are the most misleading.
        worst = sorted(examples[(target, predicted)], key=lambda e: -e[0])[:EXAMPLES_PER_PAIR]
        pairs.append({"target": target, "predicted": predicted, "count": count,
                      "examples": [{"text": text, "confidence": conf} for conf, text in worst]})
    return pairs


def collect(rasa_out: Path) -> Dict[str, Any]:
    topics_report = read_json(rasa_out / "response_selection_report.json")
    intents_report = read_json(rasa_out / "intent_report.json")
    if topics_report is None and intents_report is None:
        raise SystemExit(f"{rasa_out} holds no Rasa report (intent_report.json / response_selection_report.json); "
                         "run `make nlu-report` to create them")
    return {
        "topics": scores(topics_report), "topics_overall": overall(topics_report),
        "intents": scores(intents_report), "intents_overall": overall(intents_report),
        "pairs": confused_pairs(read_json(rasa_out / "intent_errors.json"),
                                read_json(rasa_out / "response_selection_errors.json")),
        "pictures": [name for name in PICTURES if (rasa_out / name).exists()],
    }


def is_weak(row: Dict[str, Any]) -> bool:
    return row["support"] > 0 and row["f1"] < WEAK_F1


def advice(row: Dict[str, Any]) -> str:
    if row["support"] == 0:
        return "no examples of its own: only ever predicted (nlu_fallback: the model was unsure)"
    if not is_weak(row):
        return ""
    if row["recall"] < row["precision"]:
        return "often missed: add example questions in the ways people ask it"
    return "other questions are taken for it: make its examples more specific"


def md(text: Any) -> str:
    """Markdown-safe inline text (example questions are typed by visitors)."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in str(text))


def pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def confused_text(row: Dict[str, Any]) -> str:
    return ", ".join(f"{label} ({count})" for label, count in row["confused_with"].items()) or "-"


def table_md(rows: List[Dict[str, Any]]) -> List[str]:
    out = ["| | precision | recall | F1 | examples | confused with | suggestion |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [md(r["label"]), pct(r["precision"]), pct(r["recall"]), pct(r["f1"]), str(r["support"]),
                 md(confused_text(r)), md(advice(r))]
        out.append("| " + " | ".join(cells) + " |")
    return out


def table_html(rows: List[Dict[str, Any]]) -> str:
    e = html.escape
    head = "<tr><th></th><th>precision</th><th>recall</th><th>F1</th><th>examples</th><th>confused with</th><th>suggestion</th></tr>"
    body = "".join(
        f'<tr{" class=weak" if is_weak(r) else ""}><td>{e(r["label"])}</td><td>{pct(r["precision"])}</td>'
        f'<td>{pct(r["recall"])}</td><td>{pct(r["f1"])}</td><td>{e(str(r["support"]))}</td>'
        f"<td>{e(confused_text(r))}</td><td>{e(advice(r))}</td></tr>" for r in rows)
    return f"<table>{head}{body}</table>"


def write_pages(data: Dict[str, Any], out: Path, folds: Optional[int]) -> None:
    e = html.escape
    how = f"{folds}-fold cross-validation" if folds else "cross-validation"
    intro = (f"Each example question was predicted by a model trained without it ({how}). "
             f"Rows are worst first; F1 below {WEAK_F1} is marked. Precision: of the questions taken for this "
             "label, the share that really were. Recall: of this label's questions, the share recognised.")
    # Rasa's evaluation undoes fallback predictions (rasa/nlu/test.py), so a "please rephrase"
    # from the fallback or the safety gate is scored as the model's own top intent.
    intents_note = ("Rasa scores the model's own top intent even where the visitor would be asked to "
                    "rephrase (low confidence, or a crisis or abuse verdict with no supporting word, "
                    "which the safety gate turns into a rephrase), so some confusions with crisis or "
                    "abuse below never reach a visitor as a handoff.")
    t, i = data["topics_overall"], data["intents_overall"]
    summary = (f"Topics (which article answer): accuracy {pct(t['accuracy'])}, weighted F1 {pct(t['f1'])}. "
               f"Intents (article question, small talk, crisis, ...): accuracy {pct(i['accuracy'])}, "
               f"weighted F1 {pct(i['f1'])}.")
    summary += " " + targets(data)
    lines = (["# NLU report: how well the model tells topics apart", "", intro, "", summary, "",
              "## Topics (faq/TOPIC, the ResponseSelector)", ""] + table_md(data["topics"])
             + ["", "## Intents (DIET, then the fallback and the safety rule layer)", "", intents_note, ""]
             + table_md(data["intents"]) + ["", "## Most confused pairs", ""])
    pairs_html = []
    if not data["pairs"]:
        lines.append("No question was taken for another topic or intent.")
    for p in data["pairs"]:
        lines.append(f"- **{md(p['target'])}** taken for **{md(p['predicted'])}**: {p['count']} time(s), e.g.")
        lines += [f"  - \"{md(x['text'])}\" (confidence {x['confidence']:.2f})" for x in p["examples"]]
        pairs_html.append(f"<li><b>{e(str(p['target']))}</b> taken for <b>{e(str(p['predicted']))}</b>: "
                          f"{p['count']} time(s), e.g.<ul>"
                          + "".join(f"<li>&ldquo;{e(x['text'])}&rdquo; (confidence {x['confidence']:.2f})</li>"
                                    for x in p["examples"]) + "</ul></li>")
    lines += ["", "## Pictures drawn by Rasa", ""] + [f"![{name}]({name})" for name in data["pictures"]]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NLU report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}}
tr.weak td{{background:#fde8e8}}img{{max-width:100%}}</style></head><body>
<h1>NLU report: how well the model tells topics apart</h1><p>{e(intro)}</p><p>{e(summary)}</p>
<h2>Topics (faq/&lt;topic&gt;, the ResponseSelector)</h2>{table_html(data["topics"])}
<h2>Intents (DIET, then the fallback and the safety rule layer)</h2><p>{e(intents_note)}</p>{table_html(data["intents"])}
<h2>Most confused pairs</h2>{"<ul>" + "".join(pairs_html) + "</ul>" if pairs_html else
    "<p>No question was taken for another topic or intent.</p>"}
<h2>Pictures drawn by Rasa</h2>{"".join(f'<figure><img src="{e(n)}" alt="{e(n)}"><figcaption>{e(n)}</figcaption></figure>'
                                         for n in data["pictures"])}
</body></html>
"""
    (out / "report.html").write_text(page, encoding="utf-8")


def build(rasa_out: Path, out: Path, folds: Optional[int] = None) -> Dict[str, Any]:
    data = collect(rasa_out)
    out.mkdir(parents=True, exist_ok=True)
    for name in data["pictures"]:
        if (rasa_out / name).resolve() != (out / name).resolve():
            shutil.copy(rasa_out / name, out / name)
    write_pages(data, out, folds)
    return data


def run_cross_validation(rasa_out: Path, folds: int) -> None:
    shutil.rmtree(rasa_out, ignore_errors=True)
    command = [str(ROOT / ".venv" / "bin" / "rasa"), "test", "nlu", "--nlu", "data", "--config", "config.yml",
               "--cross-validation", "--folds", str(folds), "--out", str(rasa_out)]
    print("running:", " ".join(command), flush=True)
    # The hash seed make train uses, so two runs on the same data agree.
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0", "TF_DETERMINISTIC_OPS": "1"})


def main() -> int:
    parser = argparse.ArgumentParser(description="NLU cross-validation report for editors")
    parser.add_argument("--folds", type=int, default=int(os.environ.get("NLU_FOLDS") or 3))
    parser.add_argument("--out", default=str(ROOT / "results" / "nlu-report"))
    parser.add_argument("--from-rasa-output", default=None, help="build the page from existing Rasa report files")
    args = parser.parse_args()
    out = Path(args.out)
    if args.from_rasa_output:
        rasa_out, folds = Path(args.from_rasa_output), None
    else:
        rasa_out, folds = out / "rasa", args.folds
        run_cross_validation(rasa_out, folds)
    data = build(rasa_out, out, folds)
    weak = [r["label"] for r in data["topics"] + data["intents"] if is_weak(r)]
    print(f"wrote {out / 'report.html'} and {out / 'report.md'}")
    print(f"topics: weighted F1 {pct(data['topics_overall']['f1'])}; intents: weighted F1 "
          f"{pct(data['intents_overall']['f1'])}; F1 below {WEAK_F1}: {', '.join(weak) or 'none'}")
    print(targets(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
