"""Readers for the outside evaluation sets in eval/ (evaluation only; eval/README.md).

Used by the overlap tests and by the safety benchmark; never by training.
"""
import csv
import gzip
import json
import re
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "eval"


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


def eval_texts() -> Dict[str, List[str]]:
    """Every text of every outside set, by set name."""
    sets: Dict[str, List[str]] = {}
    with (EVAL_DIR / "xstest_prompts.csv").open(encoding="utf-8") as f:
        sets["xstest"] = [row["prompt"] for row in csv.DictReader(f)]
    with (EVAL_DIR / "SimpleSafetyTests_test_cases.csv").open(encoding="utf-8") as f:
        sets["simplesafetytests"] = [row["prompts_final"] for row in csv.DictReader(f)]
    with gzip.open(EVAL_DIR / "openai_moderation_samples-1680.jsonl.gz", "rt", encoding="utf-8") as f:
        sets["openai_moderation"] = [json.loads(line)["prompt"] for line in f if line.strip()]
    clinc = json.loads((EVAL_DIR / "clinc150_data_full.json").read_text(encoding="utf-8"))
    sets["clinc150"] = [text for split in clinc.values() for text, _intent in split]
    return sets


def training_examples() -> List[str]:
    """Every NLU example under data/."""
    examples = []
    for path in sorted((ROOT / "data").rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu", []) or []:
            if not block.get("intent"):  # lookup lists (topic_vocabulary.yml) are words, not examples
                continue
            for line in (block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append(line[2:].strip())
    return examples
