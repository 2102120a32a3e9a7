"""Stand-ins for the messaging platforms' APIs, for the channel tests.

One small HTTP server on a free port in the test process. The Rasa server
is started with `Platforms.env`, which switches every channel on and points
each connector's API calls here (SLACK_API_URL, TELEGRAM_API_URL, ...).
The stand-in records each call and answers the way the platform documents,
refusing what the platform refuses (too long a text, Slack's as_user for
new apps, Telegram button data over 64 bytes); tests then read what the
visitor would have seen.

  /slack/api/<method>                            Slack Web API
  /telegram/bot<token>/<method>                  Telegram Bot API
  /messenger/me/messages                         Messenger Send API
  /twilio/2010-04-01/Accounts/<sid>/Messages.json  Twilio Messages
  /botframework/openid, /botframework/keys       Bot Framework OpenID metadata + signing keys
  /botframework/token                            Azure AD token endpoint
  /botframework/service/v3/conversations/<id>/activities  Bot Connector
  /botframework/openid-down                      an OpenID configuration that answers 503

A test can hold calls open (`holding`): a matching call is recorded, then
left unanswered until the test releases it, as a slow platform would.
"""
import email.parser
import email.policy
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from twilio.request_validator import RequestValidator

SLACK_SECRET = "slack-signing-secret"
TELEGRAM_TOKEN = "123456:telegram-test-token"
TELEGRAM_USERNAME = "imago_test_bot"
TELEGRAM_SECRET = "telegram-secret-token"
MESSENGER_SECRET = "messenger-app-secret"
MESSENGER_VERIFY = "messenger-verify-token"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token"
SMS_NUMBER = "+15550001111"
WHATSAPP_NUMBER = "whatsapp:+15550002222"
TEAMS_APP_ID = "imago-teams-app-id"
TEAMS_KEY_ID = "test-signing-key"


@dataclass
class Call:
    method: str
    path: str
    headers: Dict[str, str]
    body: Any  # parsed JSON, form fields (dict of str) or None
    query: Dict[str, str] = field(default_factory=dict)


class Hold:
    """Calls matching `predicate` wait, unanswered, until `release` (at most `limit` calls are held)."""

    def __init__(self, predicate: Callable[[Call], bool], limit: Optional[int] = None) -> None:
        self.predicate, self.limit = predicate, limit
        self.held: List[Call] = []
        self.arrived = threading.Event()  # set when the first matching call comes in
        self.released = threading.Event()

    def take(self, call: Call) -> bool:
        if self.released.is_set() or not self.predicate(call):
            return False
        if self.limit is not None and len(self.held) >= self.limit:
            return False
        self.held.append(call)
        self.arrived.set()
        return True

    def release(self) -> None:
        self.released.set()


def _parse(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    if content_type.startswith("application/json"):
        return json.loads(raw)
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        return {part.get_param("name", header="content-disposition"): part.get_content()
                for part in message.iter_parts()}
    return raw.decode("utf-8", "replace")


class Platforms:
    def __init__(self) -> None:
        self.calls: List[Call] = []
        self.lock = threading.Lock()
        self.holds: List[Hold] = []
        self.teams_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def env(self) -> Dict[str, str]:
        """Switches every channel on, pointing its API calls at this stand-in."""
        return {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": f"{self.url}/slack/api/",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_BOT_USERNAME": TELEGRAM_USERNAME,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": f"{self.url}/telegram",
            "MESSENGER_PAGE_ACCESS_TOKEN": "messenger-page-token",
            "MESSENGER_APP_SECRET": MESSENGER_SECRET,
            "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY,
            "MESSENGER_API_URL": f"{self.url}/messenger",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_SMS_NUMBER": SMS_NUMBER,
            "TWILIO_WHATSAPP_NUMBER": WHATSAPP_NUMBER,
            "TWILIO_API_URL": f"{self.url}/twilio",
            "BOTFRAMEWORK_APP_ID": TEAMS_APP_ID,
            "BOTFRAMEWORK_APP_PASSWORD": "teams-app-password",
            "BOTFRAMEWORK_OPENID_URL": f"{self.url}/botframework/openid",
            "BOTFRAMEWORK_LOGIN_URL": f"{self.url}/botframework/token",
        }

    def start(self) -> "Platforms":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What the platform would answer.

    def answer(self, call: Call) -> tuple:
        path, body = call.path, call.body if isinstance(call.body, dict) else {}
        if path.startswith("/slack/api/"):
            if "as_user" in body:  # what Slack answers apps made since 2020 (bot tokens)
                return 200, {"ok": False, "error": "invalid_arguments", "deprecated_argument": "as_user"}
            sections = [b["text"]["text"] for b in body.get("blocks") or [] if b.get("type") == "section"]
            if any(len(text) > 3000 for text in sections):
                return 200, {"ok": False, "error": "invalid_blocks"}
            return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
        if path.startswith("/telegram/bot"):
            method = path.rsplit("/", 1)[-1].lower()
            if method == "getme":
                return 200, {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "Imago",
                                                    "username": TELEGRAM_USERNAME}}
            if method == "sendmessage":
                if len(body.get("text", "")) > 4096:
                    return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
                keyboard = json.loads(body.get("reply_markup") or "{}").get("inline_keyboard", [])
                if any(len(b["callback_data"].encode()) > 64 for row in keyboard for b in row):
                    return 400, {"ok": False, "error_code": 400, "description": "Bad Request: BUTTON_DATA_INVALID"}
                chat = int(body.get("chat_id", 0))
                return 200, {"ok": True, "result": {"message_id": len(self.calls), "date": int(time.time()),
                                                    "chat": {"id": chat, "type": "private"},
                                                    "text": body.get("text", "")}}
            return 200, {"ok": True, "result": True}
        if path == "/messenger/me/messages":
            if len((body.get("message") or {}).get("text", "")) > 2000:
                return 400, {"error": {"message": "(#100) Param message[text] must be UTF-8 encoded and less "
                                                  "than 2000 characters", "type": "OAuthException", "code": 100}}
            return 200, {"recipient_id": (body.get("recipient") or {}).get("id"), "message_id": "m_test"}
        if path.startswith("/twilio/") and path.endswith("/Messages.json"):
            if len(body.get("Body", "")) > 1600:
                return 400, {"code": 21617, "message": "The concatenated message body exceeds the 1600 character "
                                                       "limit", "status": 400}
            return 201, {"sid": "SM" + "0" * 32, "account_sid": TWILIO_SID, "status": "queued",
                         "to": body.get("To"), "from": body.get("From"), "body": body.get("Body")}
        if path == "/botframework/openid-down":
            return 503, {"error": "temporarily unavailable"}
        if path == "/botframework/openid":
            return 200, {"issuer": "https://api.botframework.com", "jwks_uri": f"{self.url}/botframework/keys"}
        if path == "/botframework/keys":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.teams_key.public_key()))
            return 200, {"keys": [{**jwk, "kid": TEAMS_KEY_ID, "use": "sig"}]}
        if path == "/botframework/token":
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "teams-access-token"}
        if path.startswith("/botframework/service/v3/conversations/"):
            return 200, {"id": f"activity-{len(self.calls)}"}
        return 404, {"error": "unknown stand-in path"}

    def _handler_class(self) -> type:
        platforms = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                call = Call(self.command, url.path, dict(self.headers),
                            _parse(self.headers.get("Content-Type", ""), raw),
                            {k: v[0] for k, v in parse_qs(url.query).items()})
                with platforms.lock:
                    platforms.calls.append(call)
                    holds = [h for h in platforms.holds if h.take(call)]
                for hold in holds:
                    hold.released.wait(timeout=300)
                status, reply = platforms.answer(call)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def holding(self, predicate: Callable[[Call], bool], limit: Optional[int] = None) -> Iterator[Hold]:
        """Matching calls go unanswered until the block ends (or `release`)."""
        hold = Hold(predicate, limit)
        with self.lock:
            self.holds.append(hold)
        try:
            yield hold
        finally:
            hold.release()
            with self.lock:
                self.holds.remove(hold)

    # What the visitor saw.

    def find(self, predicate: Callable[[Call], bool]) -> List[Call]:
        with self.lock:
            return [c for c in self.calls if predicate(c)]

    def wait_for(self, predicate: Callable[[Call], bool], done: Callable[[List[Call]], bool],
                 timeout: float = 90.0) -> List[Call]:
        """The matching calls once `done` holds for them (for channels that answer in the background)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            calls = self.find(predicate)
            if done(calls):
                return calls
            time.sleep(0.2)
        return self.find(predicate)

    def sms(self, to: str) -> List[str]:
        return [c.body["Body"] for c in self.find(lambda c: c.path.endswith("/Messages.json")
                                                   and c.body.get("To") == to)]

    def twilio_calls(self, to: str) -> List[Call]:
        return self.find(lambda c: c.path.endswith("/Messages.json") and c.body.get("To") == to)

    def telegram(self, chat_id: int) -> List[Dict[str, Any]]:
        return [c.body for c in self.find(lambda c: c.path.lower().endswith("/sendmessage")
                                          and str(c.body.get("chat_id")) == str(chat_id))]

    def messenger(self, psid: str) -> List[Dict[str, Any]]:
        """The messages sent (typing indicators and read receipts left out)."""
        return [c.body["message"] for c in self.find(
            lambda c: c.path == "/messenger/me/messages" and (c.body.get("recipient") or {}).get("id") == psid
            and "message" in c.body)]

    def slack_calls(self, channel: str) -> List[Call]:
        return self.find(lambda c: c.path == "/slack/api/chat.postMessage" and c.body.get("channel") == channel)

    def teams(self, conversation_id: str) -> List[Call]:
        return self.find(lambda c: c.path == f"/botframework/service/v3/conversations/{conversation_id}/activities")

    # Signing, as each platform does.

    @staticmethod
    def slack_headers(body: bytes, secret: str = SLACK_SECRET, timestamp: Optional[int] = None) -> Dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    @staticmethod
    def messenger_headers(body: bytes, secret: str = MESSENGER_SECRET) -> Dict[str, str]:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}

    @staticmethod
    def twilio_signature(url: str, params: Dict[str, str], token: str = TWILIO_TOKEN) -> str:
        return RequestValidator(token).compute_signature(url, params)

    def teams_token(self, service_url: str, key: Any = None, audience: str = TEAMS_APP_ID) -> str:
        now = int(time.time())
        claims = {"iss": "https://api.botframework.com", "aud": audience, "nbf": now - 60,
                  "exp": now + 3600, "serviceurl": service_url}
        return jwt.encode(claims, key or self.teams_key, algorithm="RS256", headers={"kid": TEAMS_KEY_ID})
