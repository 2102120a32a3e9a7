"""Build the spaCy pipeline that Rasa's SpacyNLP loads by path.

No pretrained spaCy 3.4 model can be installed here, so the pipeline is a
blank English tokenizer plus the lookup lemmatizer, whose tables come from
the pinned spacy-lookups-data package. Usage: build_spacy_model.py OUT_DIR
"""
import shutil
import sys
from pathlib import Path

import spacy


def build(out_dir: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)  # never leave a half-written model behind


if __name__ == "__main__":
    target = Path(sys.argv[1])
    build(target)
    check = spacy.load(target)
    lemmas = [t.lemma_ for t in check("couples were fighting about costs")]
    print(f"spaCy pipeline saved to {target}: lemmas {lemmas}")
