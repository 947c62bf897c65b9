"""Authentication: with an app id set, every request needs a valid channel token (401 otherwise)."""

from __future__ import annotations

import secrets
import time
import uuid

import jwt
import pytest

from .conftest import new_conversation_id

pytestmark = pytest.mark.e2e

APP_ID = str(uuid.uuid4())
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


@pytest.fixture(scope="module")
def secured(archbot_module_factory):
    """A server that requires channel tokens (MicrosoftAppId set)."""
    return archbot_module_factory(env={"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "x"})


@pytest.fixture
def secured_bot(secured, talk_to):
    return talk_to(secured)


def _forge(claims: dict, **headers: str) -> str:
    """A plausible token signed with a random key nobody trusts."""
    now = int(time.time())
    payload = {"nbf": now - 60, "iat": now - 60, "exp": now + 3600, **claims}
    return jwt.encode(payload, secrets.token_bytes(32), algorithm="HS256", headers=headers)


FORGED_TOKENS = {
    "channel token": lambda service_url: _forge(
        {"iss": BOT_FRAMEWORK_ISSUER, "aud": APP_ID, "serviceurl": service_url},
        kid=secrets.token_hex(8),
    ),
    "emulator token": lambda service_url: _forge(
        {"iss": EMULATOR_ISSUER, "aud": APP_ID, "appid": APP_ID, "ver": "1.0"},
    ),
    "token for another bot": lambda service_url: _forge(
        {"iss": BOT_FRAMEWORK_ISSUER, "aud": str(uuid.uuid4()), "serviceurl": service_url},
    ),
}

REJECTED_HEADERS = {
    "no Authorization header": lambda service_url: None,
    "empty Authorization header": lambda service_url: "",
    "Bearer not-a-jwt": lambda service_url: "Bearer not-a-jwt",
    "Bearer without a token": lambda service_url: "Bearer ",
    "Basic credentials": lambda service_url: "Basic dXNlcjpwYXNz",
    **{
        f"forged {name}": (lambda service_url, forge=forge: f"Bearer {forge(service_url)}")
        for name, forge in FORGED_TOKENS.items()
    },
}


@pytest.mark.parametrize("case", REJECTED_HEADERS, ids=list(REJECTED_HEADERS))
@pytest.mark.parametrize("delivery_mode", [None, "expectReplies"])
async def test_unauthenticated_message_is_401(secured_bot, activities, case, delivery_mode):
    message = activities.message(
        "hello", conversation=new_conversation_id(), delivery_mode=delivery_mode
    )
    authorization = REJECTED_HEADERS[case](message["serviceUrl"])
    headers = {} if authorization is None else {"Authorization": authorization}

    status, body = await secured_bot.send(message, headers=headers)

    assert status == 401, body
    assert "Traceback" not in body
    assert "Speech" not in body and "activities" not in body


async def test_secured_server_still_rejects_bad_requests_before_auth(secured_bot):
    status, _ = await secured_bot.post(data=b"{not json", headers={"Content-Type": "text/plain"})

    assert status == 415


async def test_secured_server_is_healthy_after_rejections(http, secured):
    async with http.get(f"{secured.base_url}/healthz") as resp:
        assert resp.status == 200


async def test_anonymous_server_accepts_requests_without_a_token(bot):
    replies = await bot.ask(
        "how do I transcribe audio recordings", conversation=new_conversation_id()
    )

    assert "Speech" in replies.text
