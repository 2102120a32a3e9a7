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
"""
import datetime
import logging
import os
from typing import Any, Dict, Optional, Text

import jwt
import requests
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels import botframework
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

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
    """Rasa's Bot Framework output, with the token endpoint configurable."""

    token_expiration_date = datetime.datetime.now()
    headers = None

    async def _get_headers(self) -> Optional[Dict[Text, Any]]:
        if SafeBotFramework.headers and SafeBotFramework.token_expiration_date > datetime.datetime.now():
            return SafeBotFramework.headers
        reply = requests.post(
            token_url(),
            data={
                "client_id": self.app_id,
                "client_secret": self.app_password,
                "grant_type": "client_credentials",
                "scope": "https://api.botframework.com/.default",
            },
            timeout=30,
        )
        if not reply.ok:
            logger.error("Could not get a Bot Framework token (HTTP %s)", reply.status_code)
            return None
        token = reply.json()
        # Renew a minute early so a reply never goes out with a stale token.
        lifetime = datetime.timedelta(seconds=int(token["expires_in"]) - 60)
        SafeBotFramework.token_expiration_date = datetime.datetime.now() + lifetime
        SafeBotFramework.headers = {
            "content-type": "application/json",
            "Authorization": f"Bearer {token['access_token']}",
        }
        return SafeBotFramework.headers


class SafeBotFrameworkInput(SafeInput, BotFrameworkInput):
    NAME, LABEL = "botframework", "Microsoft Teams (Bot Framework)"
    OWN_WEBHOOK = True
    REQUIRED = ("BOTFRAMEWORK_APP_ID", "BOTFRAMEWORK_APP_PASSWORD")

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        return cls(env["BOTFRAMEWORK_APP_ID"], env["BOTFRAMEWORK_APP_PASSWORD"])

    def _update_cached_jwk_keys(self) -> None:
        """Microsoft's signing keys. Failing at start-up is not fatal: the
        keys are fetched again on the first call (the other channels keep
        working meanwhile)."""
        openid_url = stand_in_url("BOTFRAMEWORK_OPENID_URL") or botframework.MICROSOFT_OPEN_ID_URI
        try:
            conf = requests.get(openid_url, timeout=30)
            conf.raise_for_status()
            keys = requests.get(conf.json()["jwks_uri"], timeout=30)
            keys.raise_for_status()
            self.jwt_keys = {key["kid"]: key for key in keys.json()["keys"]}
            self.jwt_update_time = datetime.datetime.now()
        except (requests.RequestException, ValueError, KeyError) as e:
            logger.error("Could not fetch the Bot Framework signing keys (%s)", type(e).__name__)
            raise requests.HTTPError("no signing keys") from e

    def _validate_jwt_token(self, jwt_token: Text) -> None:
        # Rasa 3.6 takes the algorithm from the token itself and checks no
        # issuer; here both are pinned.
        key_id = jwt.get_unverified_header(jwt_token).get("kid")
        if key_id not in self.jwt_keys:
            raise jwt.InvalidKeyError("unknown signing key")
        jwt.decode(
            jwt_token,
            key=RSAAlgorithm.from_jwk(self.jwt_keys[key_id]),
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
        try:
            super().__init__(app_id, app_password)
        except requests.HTTPError:  # keys come on the first call
            self.jwt_update_time = datetime.datetime.fromtimestamp(0)

    async def receive(self, request: Request, handle: Handler) -> HTTPResponse:
        # The token is checked here, not by the guard: Rasa's check answers with its own 401.
        refusal = self._validate_auth(request.headers.get("Authorization"))
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
