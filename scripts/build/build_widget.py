"""The widget as sites embed it: web/src/widget.js with its crisis strip
inlined from safety/crisis_lines.yml, so the strip needs no server (it must
show when the Rasa server is down) and its numbers are never copied by hand.

    python scripts/build/build_widget.py [OUT]    (default .build/web/widget.js)

scripts/serve/serve_web.py serves the same build, made per request.
"""
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "web" / "src" / "widget.js"
LINES_FILE = ROOT / "safety" / "crisis_lines.yml"
OUT = ROOT / ".build" / "web" / "widget.js"
PLACEHOLDER = "var LINES = null; // CRISIS_STRIPS"
# As the server picks lines: no country given, the US; a country the file
# does not hold, the international entry.
DEFAULT_COUNTRY, OTHER_COUNTRY = "US", "INTL"
EMERGENCY = "Emergency services"


def shown(number: str, how: str) -> str:
    """The number as its line's `how` writes it ("116 123"), else as dialled."""
    for written in re.findall(r"\d[\d -]*\d|\d", how):
        if re.sub(r"\D", "", written) == number:
            return written
    return number


def strip(entry: dict) -> dict:
    """A country's main crisis line (call and text) and its emergency number."""
    crisis = entry["crisis"]
    main = next(line for line in crisis if line["name"] != EMERGENCY)
    links = [[f"{verb} {shown(str(main[field]), main['how'])}", f"{scheme}:{main[field]}"]
             for field, verb, scheme in (("call", "Call", "tel"), ("text", "Text", "sms")) if main.get(field)]
    if not links:
        links = [[main["name"], main["url"]]]
    for link in links:
        link.append(link[0] if link[0] == main["name"] else f"{main['name']}: {link[0]}")
    emergency = next((str(line["call"]) for line in crisis if line["name"] == EMERGENCY and line.get("call")), None)
    return {"links": links, "emergency": emergency}


def strips(lines_file: Path = LINES_FILE) -> dict:
    countries = yaml.safe_load(lines_file.read_text(encoding="utf-8"))
    return {"default": DEFAULT_COUNTRY, "other": OTHER_COUNTRY,
            "countries": {code: strip(entry) for code, entry in countries.items()}}


def bundle() -> str:
    source = SOURCE.read_text(encoding="utf-8")
    assert source.count(PLACEHOLDER) == 1, f"{SOURCE}: expected one '{PLACEHOLDER}'"
    data = json.dumps(strips(), ensure_ascii=False, separators=(",", ":"))
    return source.replace(PLACEHOLDER, f"var LINES = {data}; // from safety/crisis_lines.yml")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(bundle(), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
