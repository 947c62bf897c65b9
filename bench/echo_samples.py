"""The baseline: an echo bot hosted exactly the way Microsoft's BotBuilder samples host one
(samples/python/02.echo-bot): aiohttp, `aiohttp_error_middleware`, stock `CloudAdapter` with
`ConfigurationBotFrameworkAuthentication`, and `ADAPTER.process(req, BOT)` as the whole handler.

Nothing of ArchBot is imported (in particular not bot/hosting/patches.py): this is what a bot
written from the samples costs on this machine. Run: `python bench/echo_samples.py --port 3979`.
"""

import argparse
import os
import sys
import traceback
from datetime import datetime

from aiohttp import web
from aiohttp.web import Request, Response
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount


class DefaultConfig:
    """Bot Configuration (config.py of the sample)."""

    PORT = 3978
    APP_ID = os.environ.get("MicrosoftAppId", "")  # noqa: SIM112 - the standard names
    APP_PASSWORD = os.environ.get("MicrosoftAppPassword", "")  # noqa: SIM112
    APP_TYPE = os.environ.get("MicrosoftAppType", "MultiTenant")  # noqa: SIM112
    APP_TENANTID = os.environ.get("MicrosoftAppTenantId", "")  # noqa: SIM112


class EchoBot(ActivityHandler):
    """bots/echo_bot.py of the sample."""

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ):
        for member in members_added:
            if member.id != turn_context.activity.recipient.id:
                await turn_context.send_activity("Hello and welcome!")

    async def on_message_activity(self, turn_context: TurnContext):
        return await turn_context.send_activity(
            MessageFactory.text(f"Echo: {turn_context.activity.text}")
        )


CONFIG = DefaultConfig()
ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(CONFIG))


async def on_error(context: TurnContext, error: Exception):
    print(f"\n [on_turn_error] unhandled error: {error}", file=sys.stderr)
    traceback.print_exc()
    await context.send_activity("The bot encountered an error or bug.")
    await context.send_activity("To continue to run this bot, please fix the bot source code.")
    if context.activity.channel_id == "emulator":
        trace_activity = Activity(
            label="TurnError",
            name="on_turn_error Trace",
            timestamp=datetime.utcnow(),
            type=ActivityTypes.trace,
            value=f"{error}",
            value_type="https://www.botframework.com/schemas/error",
        )
        await context.send_activity(trace_activity)


ADAPTER.on_turn_error = on_error
BOT = EchoBot()


async def messages(req: Request) -> Response:
    return await ADAPTER.process(req, BOT)


APP = web.Application(middlewares=[aiohttp_error_middleware])
APP.router.add_post("/api/messages", messages)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=CONFIG.PORT)
    args = parser.parse_args()
    web.run_app(APP, host="127.0.0.1", port=args.port, print=None)
