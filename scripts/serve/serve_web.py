"""The widget's demo page (web/) on a small static server.

Serves web/; at /widget.js the widget built per request from web/src/ and
safety/crisis_lines.yml (scripts/build/build_widget.py), so the strip is always
the file's; at /vendor/socket.io.min.js, socket.io-client from
node_modules (installed by `npm ci`, never committed). The demo pages'
data-server attribute is rewritten to the Rasa server given here, so the
pages work whatever RASA_HOST / RASA_PORT are. Requests are not logged.
Pages: / (a US site) and /uk.html (the same embed with data-country="GB").

    python scripts/serve/serve_web.py --host 127.0.0.1 --port 8080 --rasa-url http://127.0.0.1:5005
"""
import argparse
import functools
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


class Handler(SimpleHTTPRequestHandler):
    rasa_url = "http://127.0.0.1:5005"

    def do_GET(self):
        path = urlsplit(self.path).path
        page_file = WEB / ("index.html" if path == "/" else path.lstrip("/"))
        if path.endswith(".html") or path == "/":
            if "/" in path.strip("/") or not page_file.is_file():  # only the pages at the top of web/
                self.send_error(404)
                return
            rasa_url = self.rasa_url
            if "//0.0.0.0:" in rasa_url:  # listening everywhere: use the host the browser used
                host = (self.headers.get("Host") or "127.0.0.1").rsplit(":", 1)[0]
                rasa_url = rasa_url.replace("0.0.0.0", host)
            page = page_file.read_text(encoding="utf-8")
            self._send(page.replace(DEMO_SERVER_ATTR, f'data-server="{rasa_url}"').encode(), "text/html; charset=utf-8")
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
