"""Microsoft Teams through the Bot Framework (POST /webhooks/botframework/webhook), with safe turns.

On when BOTFRAMEWORK_APP_ID and BOTFRAMEWORK_APP_PASSWORD (the Azure Bot's
Microsoft App ID and client secret) are set. A single-tenant Azure Bot (the
only kind Azure creates since mid-2025) also needs BOTFRAMEWORK_TENANT_ID:
its reply tokens come from that tenant, not Rasa's multi-tenant endpoint. Every call must carry a Bot
Framework JWT (Authorization: Bearer ...) signed with one of Microsoft's
published keys, for our app ID, issued by https://api.botframework.com;
otherwise 401. Replies go to the activity's serviceUrl.

Test-only: BOTFRAMEWORK_OPENID_URL replaces Microsoft's OpenID
configuration (where the signing keys are listed) and BOTFRAMEWORK_LOGIN_URL
replaces the token endpoint our replies authenticate with.

Every call to Microsoft (signing keys, reply tokens, replies) goes through
channels/http.py (aiohttp, with a time-out), so a slow Microsoft holds up
no other channel. The signing keys are fetched in the background at
start-up, then when a day old (`SigningKeys`); after a failed fetch no new
one is tried for a minute, then 2, 4, ... up to 10 minutes, each failure
logged once. Meanwhile calls are checked with the keys already known, or,
with none yet, answered 503 (Bot Framework tries again later).
"""
import asyncio
import datetime
import json
import logging
import os
import time
from typing import Any, Dict, Optional, Text

import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels import botframework
from rasa.core.channels.botframework import BEARER_REGEX, BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import http
from channels.base import Handler, SafeInput, stand_in_url

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
LOGIN_URL = f"{botframework.MICROSOFT_OAUTH2_URL}/{botframework.MICROSOFT_OAUTH2_PATH}"


def token_url() -> Text:
    """Where replies get their access token."""
    tenant = os.environ.get("BOTFRAMEWORK_TENANT_ID", "").strip()
    stand_in = stand_in_url("BOTFRAMEWORK_LOGIN_URL")
    if stand_in:
        return stand_in
    if tenant:
        return f"{botframework.MICROSOFT_OAUTH2_URL}/{tenant}/oauth2/v2.0/token"
    return LOGIN_URL


class SafeBotFramework(BotFramework):
    """Rasa's Bot Framework output, with the token endpoint configurable, sending with aiohttp."""

    token_expiration_date = datetime.datetime.now()
    headers = None

    async def _get_headers(self) -> Optional[Dict[Text, Any]]:
        # Raises when no token comes (logged by channels/http.py; the send is then counted as failed).
        if SafeBotFramework.headers and SafeBotFramework.token_expiration_date > datetime.datetime.now():
            return SafeBotFramework.headers
        token = await http.call("POST", token_url(), "The Bot Framework token endpoint", data={
            "client_id": self.app_id,
            "client_secret": self.app_password,
            "grant_type": "client_credentials",
            "scope": "https://api.botframework.com/.default",
        })
        # Renew a minute early so a reply never goes out with a stale token.
        lifetime = datetime.timedelta(seconds=int(token["expires_in"]) - 60)
        SafeBotFramework.token_expiration_date = datetime.datetime.now() + lifetime
        SafeBotFramework.headers = {
            "content-type": "application/json",
            "Authorization": f"Bearer {token['access_token']}",
        }
        return SafeBotFramework.headers

    async def send(self, message_data: Dict[Text, Any]) -> None:
        # Rasa's logs the Bot Connector's whole error reply; a failure raises here instead.
        url = f"{self.global_uri}conversations/{self.conversation['id']}/activities"
        headers = await self._get_headers()
        await http.call("POST", url, "The Bot Connector", headers=headers, data=json.dumps(message_data))


class SigningKeys:
    """Microsoft's signing keys: fetched without blocking, kept a day, and
    after a failed fetch not fetched again for BACKOFF_FIRST seconds,
    doubling up to BACKOFF_MAX (Rasa's fetches again on every call)."""

    REFRESH = 24 * 3600.0
    BACKOFF_FIRST, BACKOFF_MAX = 60.0, 600.0

    def __init__(self, openid_url: Text) -> None:
        self.openid_url = openid_url
        self.keys: Dict[Text, Any] = {}  # by key id; a failed refresh keeps the old ones
        self.fetched_at: Optional[float] = None
        self.backoff = 0.0
        self.next_try = 0.0
        self.lock = asyncio.Lock()  # calls arriving during a fetch wait for it, not fetch again

    def _due(self) -> bool:
        now = time.monotonic()
        if now < self.next_try:
            return False
        return self.fetched_at is None or now - self.fetched_at > self.REFRESH

    async def current(self) -> Dict[Text, Any]:
        if self._due():
            async with self.lock:
                if self._due():
                    await self._fetch()
        return self.keys

    async def _fetch(self) -> None:
        try:
            conf = await http.call("GET", self.openid_url, "The Bot Framework OpenID configuration")
            listed = await http.call("GET", conf["jwks_uri"], "The Bot Framework key list")
            keys = {key["kid"]: key for key in listed["keys"]}
        except (*http.ERRORS, KeyError, TypeError) as e:
            self.backoff = min(self.BACKOFF_MAX, self.backoff * 2 or self.BACKOFF_FIRST)
            self.next_try = time.monotonic() + self.backoff
            logger.error("Could not fetch the Bot Framework signing keys (%s); next try in %.0f s",
                         type(e).__name__, self.backoff)
            return
        if self.backoff:
            logger.info("Fetched the Bot Framework signing keys again")
        self.keys, self.fetched_at, self.backoff, self.next_try = keys, time.monotonic(), 0.0, 0.0


class SafeBotFrameworkInput(SafeInput, BotFrameworkInput):
    NAME, LABEL = "botframework", "Microsoft Teams (Bot Framework)"
    OWN_WEBHOOK = True
    REQUIRED = ("BOTFRAMEWORK_APP_ID", "BOTFRAMEWORK_APP_PASSWORD")

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        return cls(env["BOTFRAMEWORK_APP_ID"], env["BOTFRAMEWORK_APP_PASSWORD"])

    def _validate_jwt_token(self, jwt_token: Text) -> None:
        # Rasa 3.6 takes the algorithm from the token itself and checks no
        # issuer; here both are pinned.
        key_id = jwt.get_unverified_header(jwt_token).get("kid")
        if key_id not in self.signing_keys.keys:
            raise jwt.InvalidKeyError("unknown signing key")
        jwt.decode(
            jwt_token,
            key=RSAAlgorithm.from_jwk(self.signing_keys.keys[key_id]),
            algorithms=["RS256"],
            audience=self.app_id,
            issuer=ISSUER,
        )

    @staticmethod
    def _service_url_matches(auth_header: Text, activity: Dict[Text, Any]) -> bool:
        """Replies go to the activity's serviceUrl with our token, so it must
        be the one Microsoft signed (the token is verified already)."""
        token = auth_header.split(None, 1)[-1]
        signed = jwt.decode(token, options={"verify_signature": False}).get("serviceurl")
        sent = activity.get("serviceUrl")
        return signed is None or (isinstance(sent, str) and signed.rstrip("/") == sent.rstrip("/"))

    def __init__(self, app_id: Text, app_password: Text) -> None:
        # Not Rasa's: it fetches the keys right here, blocking.
        self.app_id = app_id
        self.app_password = app_password
        openid_url = stand_in_url("BOTFRAMEWORK_OPENID_URL") or botframework.MICROSOFT_OPEN_ID_URI
        self.signing_keys = SigningKeys(openid_url)

    def after_guard(self, webhook: Blueprint) -> None:
        @webhook.listener("after_server_start")
        async def fetch_keys(app: Any, _loop: Any) -> None:
            app.add_task(self.signing_keys.current())  # in the background: start-up never waits for Microsoft

        http.close_at_stop(webhook)

    async def auth_refusal(self, auth_header: Optional[Text]) -> Optional[HTTPResponse]:
        """Why the call's token is refused (a 401, or a 503 while no keys are known); None when it is good.
        Replaces Rasa's _validate_auth, which fetches keys blocking and logs a traceback per refusal."""
        match = BEARER_REGEX.match(auth_header or "")
        if not match:
            return response.json({"error": "Expected a Bot Framework token (Authorization: Bearer ...)."},
                                 status=401)
        if not await self.signing_keys.current():
            # Logged when the fetch failed, not again for each call.
            return response.json({"error": "The signing keys are not available yet; try again later."},
                                 status=503, headers={"Retry-After": "60"})
        try:
            self._validate_jwt_token(match.group(1))
        except jwt.PyJWTError as e:
            logger.warning("Refused a Teams call: its token could not be verified (%s)", type(e).__name__)
            return response.json({"error": "Could not verify the Bot Framework token."}, status=401)
        return None

    async def receive(self, request: Request, handle: Handler) -> HTTPResponse:
        # The token is checked here, not by the guard's refusal check: that one cannot wait for the keys.
        refusal = await self.auth_refusal(request.headers.get("Authorization"))
        if refusal:
            return refusal
        activity = request.json
        if not isinstance(activity, dict):
            return response.json({"error": "Expected a Bot Framework activity object."}, status=400)
        if not self._service_url_matches(request.headers["Authorization"], activity):
            return response.json({"error": "serviceUrl does not match the token."}, status=401)
        if activity.get("type") != "message":
            return response.text("", status=202)  # typing, conversationUpdate, ...
        try:
            output = SafeBotFramework(
                self.app_id, self.app_password, activity["conversation"],
                activity["recipient"], activity["serviceUrl"],
            )
            sender = activity["from"]["id"]
        except (KeyError, TypeError):
            return response.json({"error": "The activity lacks conversation, recipient, serviceUrl or from."}, status=400)
        metadata = self.add_attachments_to_metadata(activity, self.get_metadata(request))
        await handle(UserMessage(activity.get("text") or "", output, sender,
                                 input_channel=self.name(), metadata=metadata))
        return response.text("", status=202)
