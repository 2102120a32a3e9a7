"""The widget's crisis strip is built from safety/crisis_lines.yml
(scripts/build/build_widget.py), never copied by hand: the real build step, run
into a tmp dir, against the YAML for every country. That the strip shows
with the Rasa server down is tests/browser/widget.test.mjs's to check."""
import json
import re
import shutil
import subprocess
import sys

import pytest
import requests
import yaml

from tooling.servers import ROOT, free_port, stop, wait_for

EMERGENCY = "Emergency services"


def built(out) -> str:
    subprocess.run([sys.executable, "scripts/build/build_widget.py", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def widget(tmp_path_factory):
    return built(tmp_path_factory.mktemp("widget") / "widget.js")


def strip_data(source: str) -> dict:
    found = re.findall(r"^  var LINES = (\{.*\}); // from safety/crisis_lines\.yml$", source, re.M)
    assert len(found) == 1, "the build inlines the strip data once"
    return json.loads(found[0])


def test_every_country_strip_is_the_yaml_main_line_and_emergency_number(widget):
    countries = yaml.safe_load((ROOT / "safety" / "crisis_lines.yml").read_text(encoding="utf-8"))
    data = strip_data(widget)
    assert set(data["countries"]) == set(countries)
    assert data["default"] == "US" and data["other"] == "INTL" and {"US", "INTL"} <= set(countries)
    for code, entry in countries.items():
        main = next(line for line in entry["crisis"] if line["name"] != EMERGENCY)
        strip = data["countries"][code]
        hrefs = [link[1] for link in strip["links"]]
        expected = [f"{scheme}:{main[field]}" for field, scheme in (("call", "tel"), ("text", "sms"))
                    if main.get(field)] or [main["url"]]
        assert hrefs == expected, code
        for shown, href, spoken in strip["links"]:
            # The shown number is the dialled one, however the YAML spaces it.
            assert re.sub(r"\D", "", shown) == re.sub(r"\D", "", href) or shown == main["name"], code
            assert main["name"] in spoken and shown in spoken, code
        emergency = [str(line["call"]) for line in entry["crisis"] if line["name"] == EMERGENCY and line.get("call")]
        assert strip["emergency"] == (emergency[0] if emergency else None), code


def test_known_strips(widget):
    """Fixed anchors: the test above would also pass a wrong derivation it shared."""
    countries = strip_data(widget)["countries"]
    assert [link[1] for link in countries["US"]["links"]] == ["tel:988", "sms:988"]
    assert countries["US"]["emergency"] == "911"
    assert countries["GB"]["links"][0][:2] == ["Call 116 123", "tel:116123"]
    assert countries["GB"]["emergency"] == "999"
    assert countries["INTL"]["emergency"] is None


def test_build_follows_an_edit_of_the_yaml(tmp_path):
    """A changed number reaches the strip by the build alone."""
    copy = tmp_path / "repo"
    for part in ("scripts/build/build_widget.py", "web/src/widget.js", "safety/crisis_lines.yml"):
        (copy / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, copy / part)
    yml = copy / "safety/crisis_lines.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace('call: "999"', 'call: "998"'), encoding="utf-8")
    subprocess.run([sys.executable, "scripts/build/build_widget.py", str(tmp_path / "w.js")], cwd=copy, check=True)
    assert strip_data((tmp_path / "w.js").read_text(encoding="utf-8"))["countries"]["GB"]["emergency"] == "998"


def test_build_is_valid_javascript(widget, tmp_path):
    if not shutil.which("node"):
        pytest.skip("node missing")
    (tmp_path / "widget.js").write_text(widget, encoding="utf-8")
    subprocess.run(["node", "--check", str(tmp_path / "widget.js")], check=True)


def test_demo_server_serves_the_build(widget):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "scripts/serve/serve_web.py", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc, 30)
        assert requests.get(f"http://127.0.0.1:{port}/widget.js", timeout=10).text == widget
    finally:
        stop(proc)
