"""The demo page server (scripts/serve/serve_web.py) with a hostile Host header: when the Rasa
server listens on 0.0.0.0 the page names the host the browser used, and a crafted Host header
must not write markup into the page. The real handler on a local port, no Rasa server."""
import functools
import http.client
import threading

import pytest

from scripts.serve import serve_web

HOSTILE = [
    'x"><script>alert(1)</script>',
    "evil.example\" onload=\"alert(1)",
    "a.example:1/<img src=x onerror=alert(1)>",
    "127.0.0.1:80'><b>",
]


@pytest.fixture(scope="module")
def demo_server():
    handler = functools.partial(serve_web.Handler, directory=str(serve_web.WEB))
    serve_web.Handler.rasa_url = "http://0.0.0.0:5005"  # the case that reflects the Host header
    server = serve_web.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def page(port: int, host: str, path: str = "/") -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    reply = connection.getresponse()
    assert reply.status == 200
    return reply.read().decode()


@pytest.mark.parametrize("path", ["/", "/uk.html"])
@pytest.mark.parametrize("host", HOSTILE)
def test_a_hostile_host_header_writes_nothing_into_the_page(demo_server, host, path):
    body = page(demo_server, host, path)
    assert 'data-server="http://127.0.0.1:5005"' in body
    assert "<script>alert" not in body and "onerror" not in body and "onload=" not in body and "<b>" not in body


@pytest.mark.parametrize("host, expected", [("bot.example.org:8080", "http://bot.example.org:5005"),
                                            ("192.168.1.20", "http://192.168.1.20:5005"),
                                            ("[::1]:8080", "http://[::1]:5005")])
def test_a_plain_host_is_used_for_the_rasa_server(demo_server, host, expected):
    assert f'data-server="{expected}"' in page(demo_server, host)


def test_the_configured_url_is_escaped_too():
    assert serve_web.server_attribute('http://h"x:5005', None) == 'data-server="http://h&quot;x:5005"'
