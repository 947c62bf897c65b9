"""What ArchBot says: plain replies (markdown text and suggested next messages) from the KB."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.compare import Comparison
from bot.core.kb import Intent, Kind, KnowledgeBase, Topic
from bot.core.router import Decision, Outcome

HELP_TOPIC = "help"
GREETING_TOPIC = "greeting"


@dataclass(frozen=True)
class Reply:
    """One message to the user: markdown text and optional suggested replies (buttons)."""

    text: str
    suggestions: tuple[str, ...] = ()


def _bullets(label: str, items: tuple[str, ...]) -> str:
    return f"**{label}**\n" + "\n".join(f"- {item}" for item in items)


def topic_reply(topic: Topic) -> Reply:
    """A topic's answer: the short answer, when to use it and when not, and one link."""
    if topic.kind is Kind.SMALLTALK:
        return Reply(topic.summary)
    parts = [f"**{topic.title}**: {topic.summary}"]
    if topic.when_to_use:
        parts.append(_bullets("Use it when", topic.when_to_use))
    if topic.when_not_to_use:
        parts.append(_bullets("Look elsewhere when", topic.when_not_to_use))
    if topic.detail:
        parts.append(topic.detail)
    parts.append(f"Learn more: [{topic.link.title}]({topic.link.url})")
    return Reply("\n\n".join(parts))


def intent_reply(intent: Intent) -> Reply:
    """The answer for a routed intent: a question's own answer, or the topic's."""
    if intent.question is None:
        return topic_reply(intent.topic)
    topic = intent.topic
    text = (
        f"{intent.question.answer}\n\nMore on {topic.title}: [{topic.link.title}]({topic.link.url})"
    )
    return Reply(text)


def _side(topic: Topic) -> str:
    text = f"**{topic.title}**: {topic.summary}"
    if topic.when_to_use:
        text += "\n" + "\n".join(f"- Pick it when: {item}" for item in topic.when_to_use[:2])
    return text


def comparison_reply(comparison: Comparison) -> Reply:
    """Two topics side by side: the KB's written comparison when it has one, else each one's
    summary and when to pick it."""
    if comparison.written is not None:
        return topic_reply(comparison.written)
    first, second = comparison.first, comparison.second
    links = " · ".join(f"[{t.link.title}]({t.link.url})" for t in (first, second))
    parts = [
        f"**{first.title} vs {second.title}**",
        _side(first),
        _side(second),
        f"Learn more: {links}",
    ]
    return Reply("\n\n".join(parts))


def suggestion_text(intent: Intent) -> str:
    """The message a user sends by clicking a suggestion: one that routes back to the intent."""
    return intent.question.ask[0] if intent.question is not None else intent.topic.title


class Replies:
    """Builds every reply that depends on the knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def _examples(self) -> tuple[str, ...]:
        help_topic = self.kb.topics.get(HELP_TOPIC)
        return tuple(self.kb.topics[r].title for r in help_topic.related) if help_topic else ()

    def for_decision(self, decision: Decision) -> Reply:
        """The reply for a routed message that is not an action."""
        if decision.comparison is not None:
            return comparison_reply(decision.comparison)
        if decision.outcome is Outcome.ANSWER and decision.top is not None:
            reply = intent_reply(decision.top.intent)
            if decision.top.intent.topic.id == HELP_TOPIC:
                return self.help()
            return reply
        if decision.outcome is Outcome.AMBIGUOUS:
            names = tuple(suggestion_text(m.intent) for m in decision.matches)
            return Reply("I'm not sure which one you mean. Did you mean one of these?", names)
        return self.unknown()

    def help(self) -> Reply:
        """What ArchBot can do, with example topics as buttons."""
        topic = self.kb.topics.get(HELP_TOPIC)
        text = topic.summary if topic else "Ask me about Azure AI and data services."
        return Reply(text, self._examples())

    def welcome(self) -> Reply:
        """The first message a new user sees."""
        greeting = self.kb.topics.get(GREETING_TOPIC)
        text = greeting.summary if greeting else "Hi, I'm ArchBot."
        return Reply(f"{text}\n\n{self.help().text}", self._examples())

    def unknown(self) -> Reply:
        """An honest 'I don't know', with a hint of what ArchBot can do."""
        return Reply(
            "I don't know that one. I answer questions about Azure AI and data services and help "
            "choose an AI architecture; type **help** to see what I cover.",
            self._examples(),
        )
