"""`make audit`'s verdict: one table from pip-audit's and npm audit's JSON.

scripts/measure/audit.sh runs both tools and hands their JSON here. Each
advisory found becomes a row, marked "reviewed" when its id (or one of its
aliases) is already in docs/security.md, where the table says why it does or
doesn't apply here, else "NEW".

Why not trust the tools' own exit codes: pip-audit reports a package it could
not look up as skipped and still says "No known vulnerabilities found" with
exit 0 (on a machine that can't reach the advisory service, that is every
package), and npm audit exits 1 both for "found some" and for "could not
ask". A skipped package or an unreadable answer is INCOMPLETE here, never a
pass.

Exit codes: 0 every package checked and every advisory reviewed; 1 a NEW
advisory; 2 the audit is incomplete. Standard library only (it runs in the
audit venv).
"""
import argparse
import json
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

ID = re.compile(r"\b(GHSA(?:-[0-9a-z]{4}){3}|CVE-\d{4}-\d{4,}|PYSEC-\d{4}-\d+)\b", re.IGNORECASE)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


class Finding(NamedTuple):
    ecosystem: str
    package: str
    version: str
    ids: Tuple[str, ...]  # the tool's id first, then its aliases
    fixed: str


class Result(NamedTuple):
    findings: List[Finding]
    checked: int
    problems: List[str]  # why the audit is incomplete, one line each


def reviewed_ids(text: str) -> Set[str]:
    """Every advisory id named in docs/security.md, upper-cased."""
    return {m.upper() for m in ID.findall(text)}


def read_json(path: Optional[Path]) -> Optional[object]:
    try:
        return json.loads(path.read_text()) if path else None
    except (OSError, ValueError):
        return None


def pip_result(report: Optional[object], error_text: str = "") -> Result:
    """pip-audit's `-f json` output (dependencies with vulns or a skip_reason)."""
    if not isinstance(report, dict) or not isinstance(report.get("dependencies"), list):
        last = error_text.strip().splitlines()[-1:] or ["no JSON report"]
        return Result([], 0, [f"pip-audit gave no report: {last[0][:200]}"])
    findings, skipped, checked = [], [], 0
    for dep in report["dependencies"]:
        if dep.get("skip_reason"):
            skipped.append(dep.get("name", "?"))
            continue
        checked += 1
        for vuln in dep.get("vulns", []):
            ids = (vuln.get("id", "?"), *vuln.get("aliases", []))
            fixed = ", ".join(vuln.get("fix_versions", [])) or "none"
            findings.append(Finding("pypi", dep["name"], dep.get("version", "?"), ids, fixed))
    problems = []
    if skipped:
        problems.append(
            f"pip-audit could not look up {len(skipped)} of {len(skipped) + checked} pinned packages "
            f"(e.g. {', '.join(skipped[:3])}): the advisory service is not reachable from here"
        )
    return Result(findings, checked, problems)


def npm_result(report: Optional[object]) -> Result:
    """`npm audit --json` output: a `vulnerabilities` map, or an error object."""
    if not isinstance(report, dict) or "vulnerabilities" not in report:
        why = report.get("message") or report.get("error") if isinstance(report, dict) else None
        return Result([], 0, [f"npm audit gave no report: {str(why or 'no JSON report')[:200]}"])
    findings = []
    for name, entry in report["vulnerabilities"].items():
        for via in entry.get("via", []):
            if not isinstance(via, dict):
                continue  # a string: vulnerable through that other package, which has its own row
            ids = tuple(ID.findall(via.get("url", ""))) or (str(via.get("source", "?")),)
            fix = entry.get("fixAvailable")
            fixed = fix.get("version", "yes") if isinstance(fix, dict) else ("yes" if fix else "none")
            findings.append(Finding("npm", name, via.get("range", "?"), ids, fixed))
    total = report.get("metadata", {}).get("dependencies", {}).get("total", len(report["vulnerabilities"]))
    return Result(findings, int(total or 0), [])


def table(rows: Iterable[Finding], reviewed: Set[str]) -> List[str]:
    lines = [f"{'ecosystem':<9} {'package':<22} {'version':<14} {'advisory':<20} {'fixed in':<16} status"]
    for f in rows:
        known = any(i.upper() in reviewed for i in f.ids)
        aliases = f" ({', '.join(f.ids[1:3])})" if len(f.ids) > 1 else ""
        lines.append(
            f"{f.ecosystem:<9} {f.package:<22} {f.version:<14} {f.ids[0]:<20} {f.fixed:<16} "
            f"{'reviewed' if known else 'NEW'}{aliases}"
        )
    return lines


def verdict(results: Dict[str, Result], reviewed: Set[str]) -> Tuple[int, List[str]]:
    """The exit code and the lines to print."""
    findings = [f for r in results.values() for f in r.findings]
    problems = [p for r in results.values() for p in r.problems]
    new = [f for f in findings if not any(i.upper() in reviewed for i in f.ids)]
    lines = table(findings, reviewed) if findings else ["(no advisory in the answers received)"]
    lines.append("")
    lines += [f"{name}: {r.checked} packages checked" for name, r in results.items()]
    if problems:
        lines += [f"INCOMPLETE: {p}" for p in problems]
        lines.append("The audit is incomplete, so it is not a pass: run `make audit` on a machine "
                     "with internet access. Reviewed advisories: docs/security.md.")
        return 2, lines
    if new:
        lines.append(f"{len(new)} advisory(ies) not yet in docs/security.md: review them there.")
        return 1, lines
    lines.append("Every advisory found is reviewed in docs/security.md.")
    return 0, lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip", type=Path, help="pip-audit's JSON report")
    parser.add_argument("--pip-stderr", type=Path, help="pip-audit's error output")
    parser.add_argument("--npm", type=Path, help="npm audit's JSON report")
    parser.add_argument("--docs", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    error_text = args.pip_stderr.read_text(errors="replace") if args.pip_stderr and args.pip_stderr.exists() else ""
    results = {
        "pip-audit (requirements.lock, requirements-dev.lock)": pip_result(read_json(args.pip), error_text),
        "npm audit (package-lock.json)": npm_result(read_json(args.npm)),
    }
    code, lines = verdict(results, reviewed_ids(args.docs.read_text() if args.docs.exists() else ""))
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
