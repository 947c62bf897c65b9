"""The `archbot` command: serve, ask, chat, adr, kb (check, feedback, gaps), teams package,
notify."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import os
import sys
from collections.abc import Sequence

# What every command imports (aiohttp and botbuilder, through the settings) is ~100,000 objects
# that live as long as the process: collecting garbage while importing them only walks them
# (~35 ms of a cold `archbot ask`, bench/ask_cold.py). The collector is back as it was once they
# are imported; `ask` and `chat` then turn it off again (_terminal).
_COLLECTING = gc.isenabled()
gc.disable()
try:
    from bot.core.kb import KnowledgeError  # the loader only where files are read
    from bot.operations.config import Settings
finally:
    if _COLLECTING:
        gc.enable()

TERMINAL_COMMANDS = ("ask", "chat")
SHUTDOWN_GRACE_S = 20.0  # below the 30 s that App Service / Container Apps wait after SIGTERM


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="archbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the bot's HTTP endpoint (/api/messages)")
    serve.add_argument("--host", help="address to bind (default: $HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: $PORT or 3978)")
    ask = commands.add_parser("ask", help="ask one question and print the answer")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print topic id, score and reply")
    commands.add_parser("chat", help="talk to the bot in the terminal")
    adr = commands.add_parser("adr", help="the decision record of a walkthrough (markdown)")
    adr.add_argument("description", nargs="?", default="", help="the project, in your words")
    adr.add_argument(
        "--answer", action="append", default=[], metavar="QUESTION=CHOICE", help="an answer"
    )
    adr.add_argument("--out", help="write it to this file (default: print it)")
    kb = commands.add_parser("kb", help="knowledge base tools")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    kb_commands.add_parser("check", help="validate the knowledge base")
    feedback = kb_commands.add_parser("feedback", help="👍 / 👎 votes per topic")
    gaps = kb_commands.add_parser("gaps", help="the top questions ArchBot could not answer")
    gaps.add_argument("--limit", type=int, default=20, help="how many (default: 20)")
    for report in (feedback, gaps):
        report.add_argument("--db", help="feedback database (default: beside the state file)")
    teams = commands.add_parser("teams", help="Microsoft Teams app tools")
    teams_commands = teams.add_subparsers(dest="teams_command", required=True)
    package = teams_commands.add_parser(
        "package", help="build the Teams app zip (validated against the official schema)"
    )
    package.add_argument("--app-id", help="the bot's Microsoft App ID (default: $MicrosoftAppId)")
    package.add_argument("--out", default="archbot-teams.zip", help="the zip to write")
    notify = commands.add_parser(
        "notify", help="post a notice to the subscribed conversations ($ARCHBOT_ADMIN_KEY)"
    )
    notify.add_argument("text", help="the message, e.g. 'the knowledge base has new topics: …'")
    notify.add_argument("--url", help="the running bot (default: http://$HOST:$PORT)")
    return parser


def _terminal(args: argparse.Namespace) -> int:
    """`ask` and `chat` (bot/operations/terminal_session.py). Garbage collection stays off while
    botbuilder loads and the knowledge base is indexed: hundreds of thousands of objects that live
    as long as the process, and ~0.1 s of a cold `archbot ask` (bench/ask_cold.py)."""
    gc.disable()
    from bot.operations.terminal_session import ask, chat

    if args.command == "ask":
        return asyncio.run(ask(args.question, args.json))
    return asyncio.run(chat())


def _kb_check(settings: Settings) -> int:
    """Errors make the check fail; warnings (bot.core.lint) are printed and it still passes."""
    from bot.core.lint import lint_knowledge
    from bot.core.loader import load_knowledge

    try:
        kb = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    warnings = lint_knowledge(settings.knowledge_dir, kb.vocabulary, kb)
    for warning in warnings:
        print(warning, file=sys.stderr)
    phrases = sum(len(i.phrases) for i in kb.intents())
    noted = f", {len(warnings)} warning(s)" if warnings else ""
    print(
        f"knowledge base OK: {len(kb.topics)} topics, {len(kb.intents())} intents, "
        f"{phrases} phrases{noted}"
    )
    return 0


def _kb_report(args: argparse.Namespace) -> int:
    from bot.state.feedback import feedback_path, feedback_report, gaps_report, open_for_report

    store = open_for_report(args.db or feedback_path(Settings.from_env().storage))
    if isinstance(store, str):
        print(store)
        return 0
    try:
        if args.kb_command == "feedback":
            print(printable(feedback_report(store)))
        else:
            print(printable(gaps_report(store, args.limit)))
    finally:
        store.close()
    return 0


def printable(report: str) -> str:
    """A report holding what users typed, safe for the operator's terminal: every control and
    format character (ANSI escape sequences, carriage returns, bidirectional overrides) is
    dropped, other whitespace becomes a space; printable Unicode (accents, emoji) stays and the
    report's own lines stay lines."""
    return "\n".join(
        "".join(c if c.isprintable() else " " if c.isspace() else "" for c in line)
        for line in report.split("\n")
    )


def _teams_package(app_id: str | None, out: str) -> int:
    from bot.channels.teams_package import PackageError, build_package

    try:
        package = build_package(app_id or Settings.from_env().APP_ID, out)
    except PackageError as error:
        print("the Teams app package was not built:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    manifest = package.manifest
    print(
        f"wrote {package.path}: manifest {manifest['manifestVersion']}, app id {manifest['id']}, "
        f"version {manifest['version']} (valid against the official schema). Upload it in Teams: "
        "Apps → Manage your apps → Upload an app."
    )
    return 0


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (every platform but Windows): the same asyncio
    API on libuv, ~15% less CPU per turn under load than the standard loop (bench/README.md)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _serve(host: str | None, port: int | None) -> int:
    from aiohttp import web

    from bot.hosting.app import create_app
    from bot.hosting.runtime import build_runtime
    from bot.hosting.server import run

    settings = Settings.from_env()
    settings = dataclasses.replace(settings, host=host or settings.host, port=port or settings.port)
    runtime = build_runtime(settings)
    app = create_app(runtime)

    async def watch_knowledge(_: web.Application) -> None:
        runtime.watcher.start()  # reload knowledge/ when it changes (bot/hosting/reload.py)

    app.on_startup.append(watch_knowledge)
    print(
        f"ArchBot {len(runtime.kb.topics)} topics; listening on "
        f"http://{settings.host}:{settings.port}/api/messages (chat page: "
        f"http://{settings.host}:{settings.port}/)",
        flush=True,
    )
    # the knowledge base and index live as long as the process: keep them out of every later
    # garbage collection (measured: lower p99 latency under load, bench/README.md)
    gc.collect()
    gc.freeze()
    # SIGTERM: stop listening, let in-flight turns finish (up to the grace), close storage, exit 0;
    # timeouts for slow clients, a connection limit, redacted logs: bot/hosting/server.py
    run(app, settings, loop=_event_loop(), shutdown_timeout=SHUTDOWN_GRACE_S)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `archbot` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            return _serve(args.host, args.port)
        if args.command in TERMINAL_COMMANDS:
            return _terminal(args)
        if args.command == "adr":
            from bot.operations.adr_command import decision_record_command

            settings = Settings.from_env()
            return decision_record_command(args.description, args.answer, args.out, settings)
        if args.command == "notify":
            from bot.operations.notify import post_notice

            return post_notice(args.text, args.url, Settings.from_env())
        if args.command == "teams":
            return _teams_package(args.app_id, args.out)
        if args.kb_command in ("feedback", "gaps"):
            return _kb_report(args)
        return _kb_check(Settings.from_env())
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 2


def run() -> None:
    """The `archbot` console script. `ask` and `chat` have closed their runtime and printed
    everything when `main` returns, so they leave at once: tearing the indexed knowledge base down
    at interpreter exit costs ~0.2 s (bench/ask_cold.py)."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv[:1] and argv[0] in TERMINAL_COMMANDS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
