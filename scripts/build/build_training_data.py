#!/usr/bin/env python3
"""Writes .build/data/, the training data `make train` gives Rasa: data/ with the text of every
article answer (`utter_faq/<topic>` under `responses:`) replaced by one fixed sentence.

Why: Rasa counts retrieval answers as NLU training data, so without this an answer's wording
is in the training data's fingerprint and every answer edit retrains the whole NLU pipeline
(about 5 minutes). With it, the training data does not change when an answer does, Rasa reuses
the trained model, and the server reads the real answers from data/faq/ when it loads a model
(replies/nlg.py, content/answers.py).

Everything else is kept as written (the `review:` record, which Rasa ignores, is left out), and
each rewritten file is checked to mean the same to Rasa's YAML reader apart from the answers.
A file is written only when its content changed, so its modification time stays put.

Usage: build_training_data.py [DATA_DIR] [OUT_DIR]     (defaults: data .build/data)
"""
import re
import sys
from pathlib import Path
from typing import Dict

from rasa.shared.utils.io import dump_obj_as_yaml_to_string, read_yaml

from content.answers import PLACEHOLDER, is_answer

ROOT = Path(__file__).resolve().parents[2]

HEADER = "# Written by scripts/build/build_training_data.py from {name}: edit that file, not this one.\n"
TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
LEFT_OUT = ("responses", "review", "topic")  # the sections rewritten (responses) or dropped (review, topic)


class BuildError(Exception):
    pass


def training_text(raw: str, name: str) -> str:
    """The file as Rasa should be trained on it: unchanged unless it holds article answers."""
    try:
        content = read_yaml(raw)
    except Exception as error:  # Rasa would fail on it too; `make check` explains
        raise BuildError(f"{name}: not valid YAML ({type(error).__name__}); run make check") from error
    responses = content.get("responses") if isinstance(content, dict) else None
    if not isinstance(responses, dict) or not any(is_answer(n) for n in responses):
        return raw
    placeholders = {n: [{"text": PLACEHOLDER}] if is_answer(n) else v for n, v in responses.items()}
    kept, section = [], None
    for line in raw.splitlines(keepends=True):
        key = TOP_LEVEL_KEY.match(line)
        if key:
            section = key.group(1)
        if section not in LEFT_OUT:
            kept.append(line)
    text = (HEADER.format(name=name) + "".join(kept).rstrip("\n") + "\n"
            + dump_obj_as_yaml_to_string({"responses": placeholders}, should_preserve_key_order=True))
    expected = {k: v for k, v in content.items() if k not in ("review", "topic")}
    expected["responses"] = placeholders
    if read_yaml(text) != expected:
        raise BuildError(f"{name}: could not rewrite its answers safely (unusual layout?); "
                         "keep `responses:` and `review:` as top-level keys, as in the other topic files")
    return text


def build(data: Path, out: Path) -> Dict[str, int]:
    """Writes out/ from data/; returns how many files were written, unchanged and removed."""
    counts = {"written": 0, "unchanged": 0, "removed": 0}
    wanted = set()
    for source in sorted(p for p in data.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()):
        rel = source.relative_to(data)
        wanted.add(rel)
        text = training_text(source.read_text(encoding="utf-8"), f"{data.name}/{rel.as_posix()}")
        target = out / rel
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            counts["unchanged"] += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        counts["written"] += 1
    # A file deleted from data/ (say, a topic) must not stay in the training data.
    for target in sorted(p for p in out.rglob("*") if p.is_file()) if out.is_dir() else []:
        if target.relative_to(out) not in wanted:
            target.unlink()
            counts["removed"] += 1
    return counts


def main(argv) -> int:
    data = Path(argv[1]) if len(argv) > 1 else ROOT / "data"
    out = Path(argv[2]) if len(argv) > 2 else ROOT / ".build" / "data"
    try:
        counts = build(data, out)
    except BuildError as error:
        print(f"build_training_data: {error}", file=sys.stderr)
        return 1
    print(f"training data in {out}: {counts['written']} written, {counts['unchanged']} unchanged, "
          f"{counts['removed']} removed (answers replaced by a placeholder; the server reads them from data/faq)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
