"""The widget's demo page (web/) on a small static server.

Serves web/; at /widget.js the widget built per request from web/src/ and
safety/crisis_lines.yml (scripts/build/build_widget.py), so the strip is always
the file's; at /vendor/socket.io.min.js, socket.io-client from
node_modules (installed by `npm ci`, never committed). The demo pages'
data-server attribute is rewritten to the Rasa server given here, so the
pages work whatever RASA_HOST / RASA_PORT are; when the Rasa server
listens on 0.0.0.0 the host the browser used (the Host header) goes in its
place, but only a plain host name or IP address, and escaped for HTML
either way (a crafted Host header must not write into the page).
Requests are not logged.
Pages: / (a US site) and /uk.html (the same embed with data-country="GB").

    python scripts/serve/serve_web.py --host 127.0.0.1 --port 8080 --rasa-url http://127.0.0.1:5005
"""
import argparse
import functools
import html
import re
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from scripts.build.build_widget import bundle

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
VENDOR = {
    "/vendor/socket.io.min.js": ROOT / "node_modules/socket.io-client/dist/socket.io.min.js",
    "/vendor/socket.io.min.js.map": ROOT / "node_modules/socket.io-client/dist/socket.io.min.js.map",
}
DEMO_SERVER_ATTR = 'data-server="http://127.0.0.1:5005"'
# A host name, an IPv4 address or a bracketed IPv6 address; the port is the Rasa server's own.
PLAIN_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\]")


def browser_host(host_header) -> str:
    """The host part of a Host header when it is a plain host (an optional :port is dropped),
    else 127.0.0.1."""
    host = (host_header or "").strip()
    match = re.fullmatch(r"(.+?)(?::\d{1,5})?", host)
    if match and PLAIN_HOST.fullmatch(match.group(1)):
        return match.group(1)
    return "127.0.0.1"


def server_attribute(rasa_url: str, host_header) -> str:
    """The data-server attribute for a demo page: rasa_url, with 0.0.0.0 as the browser's host."""
    if "//0.0.0.0:" in rasa_url:  # listening everywhere: use the host the browser used
        rasa_url = rasa_url.replace("0.0.0.0", browser_host(host_header))
    return f'data-server="{html.escape(rasa_url, quote=True)}"'


class Handler(SimpleHTTPRequestHandler):
    rasa_url = "http://127.0.0.1:5005"

    def do_GET(self):
        path = urlsplit(self.path).path
        page_file = WEB / ("index.html" if path == "/" else path.lstrip("/"))
        if path.endswith(".html") or path == "/":
            if "/" in path.strip("/") or not page_file.is_file():  # only the pages at the top of web/
                self.send_error(404)
                return
            attribute = server_attribute(self.rasa_url, self.headers.get("Host"))
            page = page_file.read_text(encoding="utf-8")
            self._send(page.replace(DEMO_SERVER_ATTR, attribute).encode(), "text/html; charset=utf-8")
        elif path == "/widget.js":
            self._send(bundle().encode(), "text/javascript; charset=utf-8")
        elif path in VENDOR:
            if not VENDOR[path].exists():
                self.send_error(404, "socket.io-client missing: run `npm ci`")
                return
            self._send(VENDOR[path].read_bytes(), "text/javascript; charset=utf-8")
        else:
            super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a demo: always the current widget
        super().end_headers()

    def log_message(self, format, *args):  # quiet: the demo's requests are nobody's business
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    Handler.rasa_url = args.rasa_url.rstrip("/")
    handler = functools.partial(Handler, directory=str(WEB))
    with ThreadingHTTPServer((args.host, args.port), handler) as server:
        print(f"Widget demo on http://{args.host}:{args.port}/", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
