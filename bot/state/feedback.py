"""What users thought of the answers, and what they asked that ArchBot could not answer.

Two small tables in their own SQLite file, next to the state database by default
(`var/archbot-feedback.sqlite3` beside `var/archbot.sqlite3`; `ARCHBOT_FEEDBACK_DB` to move it):

* `votes`: one 👍 / 👎 per person per answer message, with the rated topic id. A click again
  changes that vote. The key that makes a vote unique is a salted hash of the conversation, the
  answer message and the voter's channel id: no names and no ids are stored, and the salt lives
  only in this file.
* `votes.comment`: what the user wrote with a rating (Teams' feedback buttons ask for it).
* `answers`: which topic each answer message sent in Teams was about (a salted hash of the
  conversation and message id → topic, kept 30 days), since Teams' feedback names only the
  message it rates.
* `gaps`: the text of messages that fell back to "I don't know" (the None intent), grouped by
  their normalized form with a count: what to write next. Nothing else about the asker, and no
  password, token or key pasted into it (bot/state/redact.py).

`archbot kb feedback` prints the per-topic tally, `archbot kb gaps` the top unanswered questions.
Writes happen off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.advisor import RECOMMENDATION_TOPIC_PREFIX
from bot.core.kb import QUESTION_SEPARATOR, KnowledgeBase
from bot.core.text import strip_mentions
from bot.state.redact import redact_message

FEEDBACK_DB_ENV = "ARCHBOT_FEEDBACK_DB"
MEMORY = ":memory:"
DEFAULT_FEEDBACK_DB = Path("var/archbot-feedback.sqlite3")
MAX_GAP_TEXT = 500
MAX_COMMENT = 1000
ANSWER_DAYS = 30
"""How long `answers` remembers which topic a message answered."""
LATEST = "*"
"""The message part of the key that remembers a conversation's latest answer."""
_GAP_KEY = re.compile(r"[^\w]+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
    key TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    channel TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS votes_topic ON votes (topic);
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_at ON answers (at);
CREATE TABLE IF NOT EXISTS gaps (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Tally:
    """The votes on one topic."""

    topic: str
    up: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.down


@dataclass(frozen=True)
class Comment:
    """What someone wrote with a rating."""

    topic: str
    helpful: bool
    text: str
    at: str


@dataclass(frozen=True)
class Gap:
    """An unanswered question, how often it was asked and when last."""

    text: str
    count: int
    last_at: str


def feedback_path(storage_url: str, environ: dict[str, str] | None = None) -> str:
    """Where feedback is kept: ARCHBOT_FEEDBACK_DB, else beside the SQLite state file
    (`<name>-feedback<suffix>`), else `var/archbot-feedback.sqlite3`; in memory when state is."""
    env = os.environ if environ is None else environ
    explicit = env.get(FEEDBACK_DB_ENV, "").strip()
    if explicit:
        return explicit
    if storage_url.startswith("memory://"):
        return MEMORY
    if storage_url.startswith("sqlite:///"):
        state = Path(storage_url[len("sqlite:///") :])
        return str(state.with_name(f"{state.stem}-feedback{state.suffix or '.sqlite3'}"))
    return str(DEFAULT_FEEDBACK_DB)


def known_rating(rated: str, kb: KnowledgeBase) -> bool:
    """Whether a 👍 / 👎 click rates something ArchBot answers with: a topic, a topic's question
    (`topic/question`), two topics compared (`a+b`, in order) or a walkthrough recommendation
    (`walkthrough/<rule id>`). Anything else was not on a card ArchBot sent: it is not stored."""
    if rated in kb.topics:
        return True
    prefix, separator, rest = rated.partition(QUESTION_SEPARATOR)
    if separator:
        topic = kb.topics.get(prefix)
        if topic is not None and any(q.id == rest for q in topic.questions):
            return True
        walkthrough = kb.walkthrough
        return (
            f"{prefix}{separator}" == RECOMMENDATION_TOPIC_PREFIX
            and walkthrough is not None
            and any(rule.id == rest for rule in walkthrough.rules)
        )
    pair = rated.split("+")
    return len(pair) == 2 and pair == sorted(pair) and all(t in kb.topics for t in pair)


def gap_key(text: str) -> str:
    """Questions that differ only in case, spacing or punctuation count as one."""
    return " ".join(_GAP_KEY.sub(" ", text.casefold()).split())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """Votes and unanswered questions in SQLite. Thread-safe; the async methods run the work in
    a thread so the event loop never waits on the disk."""

    def __init__(self, path: str | Path = MEMORY) -> None:
        self.path = str(path)
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        with self._lock:
            if self.path != MEMORY:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")  # as storage.py: no fsync a vote
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(votes)")}
            if "comment" not in columns:  # a database written before comments were kept
                self._db.execute("ALTER TABLE votes ADD COLUMN comment TEXT")
            row = self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)",
                    (secrets.token_hex(16),),
                )
                row = self._db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
            self._salt = row[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing --------------------------------------------------------------------------------

    def vote_key(self, *parts: str | None) -> str | None:
        """A key that is the same for the same voter on the same answer, and reveals neither."""
        if not all(parts):
            return None
        joined = "\x1f".join([self._salt, *(p or "" for p in parts)])
        return hashlib.sha256(joined.encode()).hexdigest()[:32]

    def record_vote(
        self,
        topic: str,
        helpful: bool,
        channel: str,
        key: str | None = None,
        comment: str = "",
    ) -> None:
        """Store one vote (and its comment, if any); a later vote with the same key replaces it."""
        key = key or secrets.token_hex(16)
        with self._lock:
            self._db.execute(
                "INSERT INTO votes (key, topic, vote, channel, at, comment) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET topic = excluded.topic, vote = excluded.vote, "
                "at = excluded.at, comment = excluded.comment",
                (key, topic, 1 if helpful else -1, channel or "", _now(), comment[:MAX_COMMENT]),
            )

    def record_answer(self, conversation: str, message: str, topic: str) -> None:
        """Remember that `message` (and so the conversation's latest answer) answered `topic`;
        `message` is "" when the channel gave the answer no id."""
        now = datetime.now(UTC)
        cutoff = (now - timedelta(days=ANSWER_DAYS)).isoformat(timespec="seconds")
        at = now.isoformat(timespec="seconds")
        rows = [
            (self.vote_key(conversation, part), topic, message or LATEST, at)
            for part in (message, LATEST)
            if part
        ]
        with self._lock:
            self._db.executemany(
                "INSERT INTO answers (key, topic, message, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET topic = excluded.topic, "
                "message = excluded.message, at = excluded.at",
                rows,
            )
            self._db.execute("DELETE FROM answers WHERE at < ?", (cutoff,))

    def answer(self, conversation: str, message: str | None) -> tuple[str, str] | None:
        """(topic, message id) of an answer sent in the conversation: the given message, or the
        latest answer when the client does not say which message it means."""
        key = self.vote_key(conversation, message or LATEST)
        with self._lock:
            row = self._db.execute(
                "SELECT topic, message FROM answers WHERE key = ?", (key,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def record_gap(self, text: str) -> None:
        """Count one unanswered question (its text only, without secrets: bot/state/redact.py)."""
        text = redact_message(" ".join(strip_mentions(text or "").split()))[:MAX_GAP_TEXT]
        key = gap_key(text)
        if not key:
            return
        now = _now()
        with self._lock:
            self._db.execute(
                "INSERT INTO gaps (key, text, count, first_at, last_at) VALUES (?, ?, 1, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + 1, text = excluded.text, "
                "last_at = excluded.last_at",
                (key, text, now, now),
            )

    async def vote(
        self, topic: str, helpful: bool, channel: str, key: str | None = None, comment: str = ""
    ) -> None:
        await asyncio.to_thread(self.record_vote, topic, helpful, channel, key, comment)

    async def gap(self, text: str) -> None:
        await asyncio.to_thread(self.record_gap, text)

    async def remember_answer(self, conversation: str, message: str, topic: str) -> None:
        await asyncio.to_thread(self.record_answer, conversation, message, topic)

    async def answered(self, conversation: str, message: str | None) -> tuple[str, str] | None:
        return await asyncio.to_thread(self.answer, conversation, message)

    # -- reading --------------------------------------------------------------------------------

    def tally(self) -> list[Tally]:
        """Votes per topic: the most disliked first, then the most rated."""
        with self._lock:
            rows = self._db.execute(
                "SELECT topic, SUM(vote = 1), SUM(vote = -1) FROM votes GROUP BY topic"
            ).fetchall()
        tallies = [Tally(topic, int(up), int(down)) for topic, up, down in rows]
        return sorted(tallies, key=lambda t: (-t.down, -t.total, t.topic))

    def comments(self, limit: int = 20) -> list[Comment]:
        """What people wrote with their ratings, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT topic, vote, comment, at FROM votes WHERE comment != '' "
                "ORDER BY at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [Comment(topic, vote == 1, text, at) for topic, vote, text, at in rows]

    def gaps(self, limit: int = 20) -> list[Gap]:
        """The most asked unanswered questions, most frequent first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT text, count, last_at FROM gaps ORDER BY count DESC, last_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [Gap(text, count, last_at) for text, count, last_at in rows]


# -- the `archbot kb feedback` / `archbot kb gaps` reports ------------------------------------


def open_for_report(path: str) -> FeedbackStore | str:
    """The store at `path` for reading, or why there is nothing to read."""
    if path == MEMORY:
        return (
            "feedback is not kept with ARCHBOT_STORAGE=memory://: set ARCHBOT_FEEDBACK_DB, "
            "or use SQLite state"
        )
    if not Path(path).is_file():
        return f"no feedback recorded yet ({path} does not exist)"
    return FeedbackStore(path)


def feedback_report(store: FeedbackStore) -> str:
    """The per-topic tally as a table: the most disliked first."""
    tallies = store.tally()
    if not tallies:
        return "no votes yet"
    width = max(len("topic"), *(len(t.topic) for t in tallies))
    lines = [f"{'topic':<{width}}  {'👍':>5}  {'👎':>5}  {'total':>5}"]
    lines += [f"{t.topic:<{width}}  {t.up:>5}  {t.down:>5}  {t.total:>5}" for t in tallies]
    up, down = sum(t.up for t in tallies), sum(t.down for t in tallies)
    lines.append(f"{'all topics':<{width}}  {up:>5}  {down:>5}  {up + down:>5}")
    comments = store.comments()
    if comments:
        lines += ["", "comments (newest first)"]
        lines += [
            f"{c.at[:10]}  {'👍' if c.helpful else '👎'}  {c.topic}: {' '.join(c.text.split())}"
            for c in comments
        ]
    return "\n".join(lines)


def gaps_report(store: FeedbackStore, limit: int = 20) -> str:
    """The top unanswered questions: what to write next."""
    gaps = store.gaps(limit)
    if not gaps:
        return "no unanswered questions recorded"
    lines = [f"{'times':>5}  {'last asked':<10}  question"]
    lines += [f"{g.count:>5}  {g.last_at[:10]:<10}  {g.text}" for g in gaps]
    return "\n".join(lines)
