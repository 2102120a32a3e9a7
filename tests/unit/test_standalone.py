"""The project stands alone: nothing in it reads outside its own checkout.

Two checks. The project's own text files name no path that leaves the repo
(`../shared`, `ROOT.parent`, `/work/...`; every `..` and every
`Path(__file__)` chain is resolved and must stay inside). And a copy of the
tracked files, with nothing beside it, runs `make check`'s content rules and
loads the outside evaluation sets from its own article/ and eval/.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

import pytest

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve()

# Made by install, training, runs or tools, never written by hand: not scanned, not copied.
GENERATED = {".git", ".venv", ".spacy", "node_modules", "models", "results", ".state", ".rasa", ".build",
             ".pytest_cache", "__pycache__"}
TEXT_SUFFIXES = {".py", ".yml", ".yaml", ".md", ".sh", ".js", ".mjs", ".html", ".json", ".toml", ".cfg", ".ini"}
TEXT_NAMES = {"Makefile", "run"}  # run: .ci/run
# Not the project's own writing: the vendored article and outside sets (their READMEs are scanned),
# and npm's lock file, which names registry URLs only.
NOT_OURS = {"package-lock.json"}
VENDORED_DIRS = {"article", "eval"}

# Names that leave the repo (or hide where they go), whatever the line around them.
OUTSIDE = [
    (re.compile(r"/work/"), "an absolute path on the build machine"),
    (re.compile(r"\bshared\s*/\s*(source|eval)\b"), "the old ../shared folder"),
    (re.compile(r"""/\s*["']shared["']|["']shared["']\s*/"""), "a path through a folder named shared"),
    (re.compile(r"\b(?:ROOT|root|REPO|PROJECT)\.parents?\b"), "the folder above the repo root"),
    (re.compile(r"\bos\.pardir\b"), "a '..' that cannot be resolved here: build the path from ROOT"),
]
FROM_THE_FILE = {".md", ".yml", ".yaml", ".html"}  # where a relative path starts from the file's own folder
DOTDOT = re.compile(r"(?<![.\w])\.\.(?![.\w])")  # '..' as a path part; not '...' or 'a..b'
PATH_TOKEN = re.compile(r"""[^\s`'"()\[\]<>|,;:=*]*(?<![.\w])\.\.(?![.\w])[^\s`'"()\[\]<>|,;:=*]*""")
FILE_CHAIN = re.compile(r"Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parent\b)+|\.parents\[(\d+)\])")
DIRNAME_CHAIN = re.compile(r"((?:os\.path\.dirname\()+)(?:os\.path\.(?:abspath|realpath)\()?__file__")
# The shell's "the folder of this script": `cd "$(dirname "$0")/.."` goes from scripts/, scripts/<purpose>/ or .ci/ to the root.
SCRIPT_DIR = re.compile(r"""\$\(dirname\s+"?\$(?:0|\{BASH_SOURCE\[0\]\})"?\)""")

# Legitimate uses the resolution above cannot see, one (path, what is on the line) a row. Empty today:
# every `..` and `Path(__file__)` chain in the project resolves inside it. Add a row only with a comment
# saying why the line stays in the repo.
ALLOWED: List[tuple] = []


def own_text_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in GENERATED)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root)
            if name in NOT_OURS or path.resolve() == THIS:  # this file spells out the patterns it looks for
                continue
            if rel.parts[0] in VENDORED_DIRS and name != "README.md":
                continue
            if path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                yield path


def inside(path: str, root: Path = ROOT) -> bool:
    resolved = Path(os.path.normpath(path))
    return resolved == root or root in resolved.parents


def problems_in(path: Path, root: Path = ROOT) -> List[str]:
    rel = path.relative_to(root).as_posix()
    here = path.parent
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if any(rel == a_path and on_line in line for a_path, on_line in ALLOWED):
            continue
        where = f"{rel}:{number}: {line.strip()[:120]}"
        found += [f"{where}  <- {why}" for pattern, why in OUTSIDE if pattern.search(line)]
        # Every '..': in Markdown, YAML and HTML a path is written from the file's folder (a link, a
        # comment); a shell script's "$(dirname "$0")" is its folder; code runs from the repo root
        # (make, pytest and the scripts cd there).
        if DOTDOT.search(line):
            expanded = SCRIPT_DIR.sub(str(here), line)
            base = here if path.suffix in FROM_THE_FILE else root
            for token in PATH_TOKEN.findall(expanded):
                if not inside(os.path.join(base, token), root):
                    found.append(f"{where}  <- {token} leaves the repo")
        # Every Path(__file__) chain, resolved from where this file is.
        for match in FILE_CHAIN.finditer(line):
            up = int(match.group(2)) + 1 if match.group(2) else match.group(1).count(".parent")
            if not inside(str(path.parents[up - 1]) if up <= len(path.parents) else "/", root):
                found.append(f"{where}  <- {match.group(0)} is {up} folder(s) up, outside the repo")
        for match in DIRNAME_CHAIN.finditer(line):
            up = match.group(1).count("dirname(")
            if not inside(str(path.parents[up - 1]) if up <= len(path.parents) else "/", root):
                found.append(f"{where}  <- {up} x dirname of __file__ is outside the repo")
    return found


def test_no_file_names_a_path_outside_the_repo():
    scanned = list(own_text_files(ROOT))
    assert len(scanned) > 100, "the scan found too few files: is ROOT right?"
    problems = [p for path in scanned for p in problems_in(path)]
    assert not problems, "These lines reach outside the checkout:\n" + "\n".join(problems)


def test_the_scan_catches_the_old_paths(tmp_path):
    """The scan itself: each way the project used to leave the repo is reported; in-repo uses are not."""
    root = tmp_path / "repo"
    (root / "tests").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "data" / "nlu").mkdir(parents=True)
    bad = {
        "tests/a.py": 'EVAL_DIR = ROOT.parent / "shared" / "eval"\n',
        "tests/b.py": 'ARTICLE = Path(__file__).resolve().parents[2] / "x.txt"\n',
        "tests/c.py": 'X = Path(__file__).resolve().parent.parent.parent\n',
        "scripts/d.sh": 'cat "$(dirname "$0")/../../x.txt"\n',
        "data/e.md": "See [the sets](../../shared/eval).\n",
        "f.yml": "# read from ../shared/eval\n",
        "data/m.yml": "# the article: ../../article.txt\n",
        "g.py": 'open("/work/shared/source/a.txt")\n',
        "tests/k.py": 'A = ROOT / os.pardir / "article.txt"\n',
    }
    good = {
        "tests/h.py": 'ROOT = Path(__file__).resolve().parent.parent\nA = Path(__file__).parents[1] / "eval"\n',
        "scripts/i.sh": 'cd "$(dirname "$0")/.."\n',
        "data/j.md": "Replies live in `../domain.yml`. Wait...\n",
        "data/nlu/l.yml": "# the pipeline's lists (see ../../config.yml)\n",
    }
    for rel, text in {**bad, **good}.items():
        (root / rel).write_text(text, encoding="utf-8")
    for rel in bad:
        assert problems_in(root / rel, root), f"{rel} should be reported"
    for rel in good:
        assert problems_in(root / rel, root) == [], f"{rel} should pass"


def tracked_files() -> List[str]:
    try:
        run = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        return [name for name in run.stdout.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # no git (an unpacked archive): what the scan would read
        return [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                if p.is_file() and not GENERATED & set(p.relative_to(ROOT).parts)]


def test_no_tracked_symlink_leaves_the_repo():
    links = [name for name in tracked_files() if (ROOT / name).is_symlink()]
    assert [name for name in links if not inside(str((ROOT / name).resolve()))] == []


def run_in(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy)}  # imports from the copy, never from this checkout
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=300)


LOAD_COUNTS = """
import json
from pathlib import Path
from tooling.eval_sets import EVAL_DIR, eval_texts
from scripts.measure.eval_safety import load_sets
print(json.dumps({"eval_dir": str(Path(EVAL_DIR).resolve()),
                  "sets": {name: len(texts) for name, texts in eval_texts().items()},
                  "benchmark": [len(texts) for _name, texts, *_ in load_sets()]}))
"""


def test_a_copy_with_nothing_beside_it_works(tmp_path):
    """The tracked files alone, in a folder with no neighbours: the content check passes and
    the evaluation sets load from the copy's own eval/."""
    copy = tmp_path / "clone"
    for name in tracked_files():
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clone"]

    check = run_in(copy, "scripts/editors/check_content.py")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "content check: all good" in check.stdout

    load = run_in(copy, "-c", LOAD_COUNTS)
    assert load.returncode == 0, load.stderr
    counts = json.loads(load.stdout.strip().splitlines()[-1])
    assert counts["eval_dir"] == str((copy / "eval").resolve())
    assert counts["sets"] == {"xstest": 450, "simplesafetytests": 100, "openai_moderation": 1680, "clinc150": 23700}
    sst, moderation, xstest_safe, clinc_in_scope, clinc_oos, *team = counts["benchmark"]
    assert len(team) == 8 and all(team)  # the strangers' sets (tests/e2e/safety/strangers.yml): danger and calm
    assert (sst, moderation, clinc_oos) == (20, 51, 1000)  # SST suicide/self-harm/ED, moderation SH == 1, oos_test
    assert xstest_safe > 200 and clinc_in_scope == 1500
