"""The limits of bot/hosting/limits.py on their own: rates, buckets, client addresses, the text
a turn reads, and their settings. Against a real server: tests/e2e/test_abuse.py."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.hosting.inprocess import InProcessAdapter
from bot.hosting.limits import Rate, RateLimiter, TextBound, client_address, retry_after
from bot.operations.config import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rates_parse_and_can_be_off():
    assert Rate.parse("30/60") == Rate(30, 60.0)
    assert Rate.parse(" 5 / 0.5 ") == Rate(5, 0.5)
    assert Rate.parse("off") is None and Rate.parse("0") is None
    for bad in ("30", "x/60", "30/0", "0/5", "-1/5"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


def test_a_bucket_allows_its_burst_then_refills_at_its_rate():
    clock = Clock()
    limiter = RateLimiter(Rate(3, 6), clock=clock)  # 3 at once, one back every 2 s
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(2.0)
    assert limiter.take("b") == 0.0  # another key has its own bucket
    clock.now += 2.0
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0
    assert retry_after(0.2) == "1" and retry_after(2.01) == "3"


def test_no_rate_allows_everything_and_keys_are_bounded():
    assert all(RateLimiter(None).take("a") == 0.0 for _ in range(1000))
    limiter = RateLimiter(Rate(1, 60), max_keys=10)
    for n in range(100):
        limiter.take(f"k{n}")
    assert len(limiter._buckets) == 10


def request_from(peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}

    class Transport:
        def get_extra_info(self, name, default=None):
            return (peer, 1234) if name == "peername" else default

    return make_mocked_request("GET", "/", headers=headers, transport=Transport())


def test_the_client_address_is_the_peer_unless_proxies_are_trusted():
    assert client_address(request_from("203.0.113.7")) == "203.0.113.7"
    spoofed = request_from("10.0.0.5", "1.2.3.4, 198.51.100.9")
    assert client_address(spoofed) == "10.0.0.5"  # no trusted proxy: the header is ignored
    assert client_address(spoofed, forwarded_hops=1) == "198.51.100.9"
    assert client_address(spoofed, forwarded_hops=2) == "1.2.3.4"
    assert client_address(request_from("10.0.0.5", "198.51.100.9:5555"), 1) == "198.51.100.9"
    # one IPv6 subscriber (a /64) is one client
    assert client_address(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_address(request_from("::ffff:192.0.2.1")) == "192.0.2.1"


def context(text: str, value: object = None) -> TurnContext:
    activity = Activity(
        type=ActivityTypes.message,
        text=text,
        value=value,
        channel_id="test",
        conversation=ConversationAccount(id="c"),
        from_property=ChannelAccount(id="u"),
        recipient=ChannelAccount(id="b"),
    )
    return TurnContext(InProcessAdapter(), activity)


async def test_a_turn_reads_only_the_first_characters_of_text_and_click_values():
    seen = []
    turn = context("x" * 5000, {"text": "y" * 5000, "topic": "speech", "n": 3})

    async def logic() -> None:
        seen.append((turn.activity.text, turn.activity.value))

    await TextBound(100).on_turn(turn, logic)
    ((text, value),) = seen
    assert text == "x" * 100
    assert value == {"text": "y" * 100, "topic": "speech", "n": 3}


async def test_the_terminal_reads_a_message_as_a_channel_does():
    adapter = InProcessAdapter(max_routed_chars=50)
    seen = []

    async def logic(turn: TurnContext) -> None:
        seen.append(turn.activity.text)

    conversation = adapter.new_conversation()
    await adapter.process(adapter.message(conversation, "speech " * 100), logic)
    assert seen == [("speech " * 100)[:50]]


def test_the_limits_are_settings():
    defaults = Settings.from_env({})
    assert defaults.tokens_per_address == Rate(60, 60)
    assert defaults.messages_per_token == Rate(20, 60)
    assert defaults.max_body_bytes == 256 * 1024 and defaults.max_routed_chars == 1000
    changed = Settings.from_env(
        {
            "ARCHBOT_RATE_TOKENS": "5/10",
            "ARCHBOT_RATE_TURNS": "off",
            "ARCHBOT_RATE_MESSAGES": "2/1",
            "ARCHBOT_MAX_BODY_BYTES": "1024",
            "ARCHBOT_MAX_ROUTED_CHARS": "200",
            "ARCHBOT_FORWARDED_HOPS": "1",
            "ARCHBOT_HEADER_TIMEOUT": "3",
            "ARCHBOT_BODY_TIMEOUT": "4",
            "ARCHBOT_MAX_CONNECTIONS": "50",
        }
    )
    assert (changed.tokens_per_address, changed.turns_per_address) == (Rate(5, 10), None)
    assert changed.messages_per_token == Rate(2, 1)
    assert (changed.max_body_bytes, changed.max_routed_chars, changed.forwarded_hops) == (
        1024,
        200,
        1,
    )
    assert (changed.header_timeout, changed.body_timeout, changed.max_connections) == (3, 4, 50)
    with pytest.raises(ValueError, match="ARCHBOT_RATE_MESSAGES"):
        Settings.from_env({"ARCHBOT_RATE_MESSAGES": "many"})


def test_the_builtin_direct_line_is_off_in_production_without_its_own_secret():
    assert Settings.from_env({}).builtin_directline
    assert not Settings.from_env({"MicrosoftAppId": "app"}).builtin_directline
    assert not Settings.from_env(
        {"MicrosoftAppId": "app", "DirectLineSecret": "az"}
    ).builtin_directline
    assert Settings.from_env(
        {"MicrosoftAppId": "app", "ARCHBOT_DIRECTLINE_SECRET": "own"}
    ).builtin_directline
