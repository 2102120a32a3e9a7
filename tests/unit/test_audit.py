"""`make audit`'s verdict (scripts/measure/audit_table.py) and docs/security.md.

The tools' answers below have the shapes pip-audit 2.10.1 and npm 11 write; the
"unreachable" ones are what they answered on a machine without the advisory
services. No network: the audit itself needs the internet and is not run here.
"""
import json
import re
from pathlib import Path

from scripts.measure import audit_table
from scripts.measure.audit_table import Result, npm_result, pip_result, reviewed_ids, verdict

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")

# What pip-audit wrote here for every package: skipped, and "No known vulnerabilities found", exit 0.
PIP_UNREACHABLE = {"dependencies": [
    {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited: aiohttp (3.9.5)"},
    {"name": "ruff", "skip_reason": "Dependency not found on PyPI and could not be audited: ruff (0.17.6)"},
], "fixes": []}
# What npm audit wrote here (exit 1, as for "found some").
NPM_UNREACHABLE = {"message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
                   "statusCode": 405, "error": {"summary": "", "detail": ""}}
NPM_CLEAN = {"auditReportVersion": 2, "vulnerabilities": {},
             "metadata": {"dependencies": {"total": 10}}}


def pip_report(*vulns):
    return {"dependencies": [
        {"name": "aiohttp", "version": "3.9.5", "vulns": list(vulns)},
        {"name": "requests", "version": "2.34.2", "vulns": []},
    ], "fixes": []}


def run(pip, npm):
    return verdict({"pip": pip_result(pip), "npm": npm_result(npm)}, reviewed_ids(DOCS))


def test_unreachable_advisory_services_are_incomplete_not_a_pass():
    code, lines = run(PIP_UNREACHABLE, NPM_UNREACHABLE)
    text = "\n".join(lines)
    assert code == 2
    assert "could not look up 2 of 2" in text
    assert "405 Method Not Allowed" in text
    assert "No known vulnerabilities" not in text


def test_one_skipped_package_is_enough_to_be_incomplete():
    report = pip_report()
    report["dependencies"].append(PIP_UNREACHABLE["dependencies"][1])
    assert run(report, NPM_CLEAN)[0] == 2


def test_no_report_at_all_is_incomplete_with_the_tools_last_words():
    result = pip_result(None, "Traceback ...\nrequests.exceptions.ConnectionError: api.osv.dev unreachable\n")
    assert result.problems == ["pip-audit gave no report: requests.exceptions.ConnectionError: api.osv.dev unreachable"]
    assert verdict({"pip": result, "npm": npm_result(NPM_CLEAN)}, set())[0] == 2


def test_a_reviewed_advisory_passes_and_is_marked_by_an_alias():
    # pip-audit names it by its PYSEC or GHSA id; the docs may name the CVE alias.
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["3.13.4"], "aliases": ["CVE-2026-34513"]}
    code, lines = run(pip_report(vuln), NPM_CLEAN)
    assert code == 0
    row = next(line for line in lines if line.startswith("pypi"))
    assert "aiohttp" in row and "PYSEC-2099-1" in row and "3.13.4" in row and "reviewed" in row


def test_an_advisory_missing_from_the_docs_is_new_and_fails():
    vuln = {"id": "GHSA-zzzz-zzzz-zzzz", "fix_versions": [], "aliases": ["CVE-2099-0001"]}
    code, lines = run(pip_report(vuln), NPM_CLEAN)
    assert code == 1
    assert any("GHSA-zzzz-zzzz-zzzz" in line and "NEW" in line for line in lines)


def test_npm_findings_become_rows_with_their_ghsa_id():
    report = {"auditReportVersion": 2, "metadata": {"dependencies": {"total": 10}}, "vulnerabilities": {
        "ws": {"severity": "high", "fixAvailable": {"name": "ws", "version": "8.17.1"}, "via": [
            {"source": 1, "title": "ws DoS", "url": "https://github.com/advisories/GHSA-3h5v-q93c-6h6q",
             "range": ">=8.0.0 <8.17.1"}]},
        "engine.io-client": {"severity": "high", "fixAvailable": True, "via": ["ws"]},
    }}
    result = npm_result(report)
    assert [(f.package, f.ids[0], f.fixed) for f in result.findings] == [("ws", "GHSA-3h5v-q93c-6h6q", "8.17.1")]
    assert result.checked == 10 and result.problems == []


def test_main_reads_the_files_and_returns_the_exit_code(tmp_path, capsys):
    (tmp_path / "pip.json").write_text(json.dumps(PIP_UNREACHABLE))
    (tmp_path / "npm.json").write_text(json.dumps(NPM_CLEAN))
    code = audit_table.main(["--pip", str(tmp_path / "pip.json"), "--npm", str(tmp_path / "npm.json")])
    assert code == 2
    assert "INCOMPLETE" in capsys.readouterr().out
    assert isinstance(pip_result(PIP_UNREACHABLE), Result)


# docs/security.md stays true to the locks.

def pins():
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return {n.lower(): v for n, v in (line.split("==") for line in lines if "==" in line)}


def test_the_docs_name_every_package_the_issue_lists():
    for package in ["aiohttp", "python-socketio", "protobuf", "keras", "sentry-sdk",
                    "tensorflow", "sanic", "aiogram"]:
        assert re.search(rf"^\| {re.escape(package)} \d", DOCS, re.M), package


def test_every_version_in_the_docs_tables_is_the_pinned_one():
    locked = pins()
    rows = re.findall(r"^\| ([A-Za-z][\w.-]*) (\d[\w.]*)", DOCS, re.M)
    assert len(rows) >= 20
    for name, version in rows:
        assert locked.get(name.lower()) == version, f"docs/security.md says {name} {version}, the lock {locked.get(name.lower())}"


def test_the_audit_venv_is_pinned_apart_from_the_project():
    tools = (ROOT / "scripts" / "measure" / "audit-tools.lock").read_text()
    assert "pip-audit==" in tools
    assert "pip-audit" not in (ROOT / "requirements.lock").read_text()
    assert "pip-audit" not in (ROOT / "requirements-dev.lock").read_text()
