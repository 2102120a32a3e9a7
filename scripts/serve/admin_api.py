"""Rasa's HTTP API, kept off the public port: the admin listener.

The public port (RASA_PORT) serves only the webhooks (/webhooks/...),
Socket.IO (/socket.io/...) and the health route (/); anything else gets a
404 there, with or without a token. When a token is configured, a second
listener on 127.0.0.1:RASA_ADMIN_PORT (default: the public port + 1000)
serves the few API routes `make reload` needs (ADMIN_ROUTES) and nothing
else: no tracker reads, no DELETE /model.

The token comes from RASA_API_TOKEN or from the file named by
RASA_API_TOKEN_FILE, never from a command line (visible in `ps`). It is
accepted only as `Authorization: Bearer <token>` (a URL ends up in logs and
shell history, so `?token=` is refused) and compared in constant time.
Rasa's own token check (query string, `==`) is left off: this is the check.
"""
import hmac
import logging
import os
import string
from functools import partial
from typing import Any, Optional, Text

from sanic import Sanic, response
from sanic.models.server_types import Signal
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.server.protocols.http_protocol import HttpProtocol

logger = logging.getLogger(__name__)

ADMIN_HOST = "127.0.0.1"  # never another interface: the API is for this machine's operator
ADMIN_PORT_OFFSET = 1000
# Paths (as routed) the public port serves; "" is Rasa's health route "/".
PUBLIC_PREFIXES = ("webhooks/", "socket.io")
# (method, route) on the admin port: what scripts/serve/reload.sh calls.
ADMIN_ROUTES = {("GET", "status"), ("GET", "version"), ("PUT", "model")}
MIN_TOKEN_LENGTH = 16
TOKEN_CHARACTERS = set(string.ascii_letters + string.digits + string.punctuation)


class TokenError(Exception):
    """The configured token can't be used; the message says why (never the token)."""


def api_token() -> Optional[Text]:
    """The admin token from RASA_API_TOKEN or RASA_API_TOKEN_FILE; None when neither is set."""
    token = os.environ.get("RASA_API_TOKEN", "")
    path = os.environ.get("RASA_API_TOKEN_FILE", "")
    if token and path:
        raise TokenError("set RASA_API_TOKEN or RASA_API_TOKEN_FILE, not both")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                token = f.read().strip()  # a trailing newline from `echo` is not part of it
        except (OSError, UnicodeDecodeError) as e:
            raise TokenError(f"can't read RASA_API_TOKEN_FILE ({path}): {type(e).__name__}")
        if not token:
            raise TokenError(f"RASA_API_TOKEN_FILE ({path}) is empty")
    if not token:
        return None
    # Printable ASCII only: it travels in an HTTP header, which has no agreed encoding.
    if len(token) < MIN_TOKEN_LENGTH or not set(token) <= TOKEN_CHARACTERS:
        raise TokenError(
            f"the API token must be at least {MIN_TOKEN_LENGTH} printable ASCII characters without spaces, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token


def admin_port(public_port: int) -> int:
    """RASA_ADMIN_PORT, else the public port + 1000 (5005 -> 6005)."""
    value = os.environ.get("RASA_ADMIN_PORT", "").strip()
    return int(value) if value else public_port + ADMIN_PORT_OFFSET


def bearer_token(request: Request) -> Text:
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def refusal(status: int, reason: Text) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


def admin_refusal(request: Request, token: Text) -> Optional[HTTPResponse]:
    """Why an admin-port request is refused, or None to let Rasa's route answer it."""
    if "token" in request.args:
        return refusal(400, "Send the token as an 'Authorization: Bearer <token>' header, not in the URL.")
    given = bearer_token(request).encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, token.encode()):
        return refusal(401, "Missing or wrong token (Authorization: Bearer <token>).")
    if (request.method, route_path(request)) not in ADMIN_ROUTES:
        return refusal(404, "Not served here: the admin port serves GET /status, GET /version and PUT /model.")
    return None


def route_path(request: Request) -> Text:
    """The matched route's path, not the raw URL (no dot-segment or double-slash tricks)."""
    return request.route.path.strip("/") if request.route else ""


def is_public(request: Request) -> bool:
    path = route_path(request)
    return path == "" or path.startswith(PUBLIC_PREFIXES)


def install(app: Sanic, public_port: int, token: Optional[Text]) -> None:
    """Route by listener; with a token, also listen on ADMIN_HOST:admin_port."""
    port = admin_port(public_port) if token else None

    async def by_listener(request: Request) -> Optional[HTTPResponse]:
        # The socket the request came in on decides, never the Host header.
        if port is not None and request.conn_info and request.conn_info.server_port == port:
            return admin_refusal(request, token)
        if is_public(request):
            return None
        return refusal(404, "Not found.")

    # First of all request middleware (sanic_cors puts its own first the same
    # way). An OPTIONS preflight for an API route that has no OPTIONS method
    # never reaches middleware: sanic_cors answers it with an empty 200.
    app.request_middleware.appendleft(by_listener)

    if port is None:
        return

    async def start_admin_listener(app: Sanic, loop: Any) -> None:
        # Served by the same app (the same loaded agent) as the public port.
        protocol = partial(HttpProtocol, loop=loop, app=app, signal=Signal(), connections=set())
        app.ctx.admin_server = await loop.create_server(protocol, ADMIN_HOST, port)
        logger.info("Admin API on http://%s:%s (GET /status, PUT /model; Bearer token)", ADMIN_HOST, port)

    async def stop_admin_listener(app: Sanic, loop: Any) -> None:
        server = getattr(app.ctx, "admin_server", None)
        if server is not None:
            server.close()
            await server.wait_closed()

    app.register_listener(start_admin_listener, "after_server_start")
    app.register_listener(stop_admin_listener, "before_server_stop")
