"""What ArchBot says: plain replies from the KB.

A `Reply` is markdown text with suggested next messages (buttons): every channel can show that.
It may also carry the same content as structured, botbuilder-free data (a title, the short answer,
labelled sections, two columns side by side, links, related topics, the topic it answers) for
channels that render cards; `bot.channels.cards` builds Adaptive Cards from it and
`bot.channels.messages` picks the card or the text by channel. `.text` always stays the complete
answer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.compare import Comparison
from bot.core.context import Understood, compared_with, has_part, stories_for
from bot.core.kb import (
    FOLLOWUP_PARTS,
    FollowUp,
    Intent,
    Kind,
    KnowledgeBase,
    Link,
    Question,
    Topic,
)
from bot.core.labels import LABEL_LIMIT, button_label, fits, knowledge_labels
from bot.core.reading import GREETING_TOPIC, HELP_TOPIC
from bot.core.router import Decision, Outcome
from bot.core.text import LEAD_IN, stem, strip_mentions, tells_own_situation

_YES_OR_NO = re.compile(r"^(?:Yes|No)[,.:;]\s+(?=\S)")
"""An answer's opening "Yes." or "No, " (not "Yes and no")."""
_OPENS_WITH_WH = re.compile(LEAD_IN + r"(?:what|whats|what's|which|where|how|who|why|when)\b")
"""A message asking what, which, where or how: no yes-or-no question."""
_ENDS_WITH_WH = re.compile(r"\b(?:what|which|where|how|who|why|when)\s*\?\W*$")
"""A message ending in a bare "where?" or "which?" ("… an open model, not gpt. where?")."""
_PLAIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?\b(?![-\d])")
"""A first word in plain lower-case letters, not a name like "o1-preview"."""

MAX_RELATED = 3
"""Related topics offered as buttons under an answer."""
NONE_OF_THESE = "None of these"
"""The last button of a "did you mean": the user's way to say the bot got it wrong."""
MAX_FOLLOWUPS = 3
"""Follow-up questions offered as buttons under an answer."""
OTHER_TOPIC = "{other}"
"""In a follow-up's label, the title of the related topic it compares with."""
_QUESTION_WORDS = frozenset(
    {"what", "how", "which", "can", "does", "do", "is", "are", "where", "who", "why", "when"}
)
_LINK_WORD = re.compile(r"[a-z0-9]{4,}")
"""Words that tell a link's subject (short words say little)."""
_LINK_WORDS = 2
"""Words a question must share with a link's title, beyond the main link's, to be given it."""
_TOPIC_PARTS = frozenset({"when_to_use", "when_not_to_use", "detail"})
"""The parts a topic's own answer shows: not offered again as follow-ups under it."""
COVERAGE = (
    "I cover Azure's AI and data services (Azure OpenAI, AI services, Machine Learning, AI "
    "Foundry, Fabric, Databricks, Data Lake, Data Factory) and help choose an AI architecture; "
    "type **help** to see more."
)


class ReplyKind(StrEnum):
    """What a reply is, which decides its card's layout (and whether it can be rated)."""

    TEXT = "text"
    """A plain message (small talk, acknowledgements): no card."""
    ANSWER = "answer"
    """A topic's or a question's answer."""
    DID_YOU_MEAN = "did-you-mean"
    COMPARISON = "comparison"
    QUESTION = "question"
    """A walkthrough question: its choices are buttons, typed answers work too."""
    RECOMMENDATION = "recommendation"
    WELCOME = "welcome"
    HELP = "help"
    UNKNOWN = "unknown"
    """The router found nothing: the message is a gap in the knowledge base."""


@dataclass(frozen=True)
class Section:
    """A labelled part of an answer: bullets, or a paragraph."""

    heading: str = ""
    items: tuple[str, ...] = ()
    text: str = ""
    collapsed: bool = False
    """Shown behind a "More details" toggle on cards (all of it in plain text)."""


@dataclass(frozen=True)
class Column:
    """One side of a comparison."""

    title: str
    summary: str
    items: tuple[str, ...] = ()
    """When to pick it."""
    link: Link | None = None


@dataclass(frozen=True)
class Reply:
    """One message to the user: markdown text and optional suggested replies (buttons).

    The other fields are optional structure for rich channels. `suggestions` are the buttons in
    both renderings (clicking one sends its text, like typing it); `related` are extra buttons
    that only cards show; `topic` is the id of what the reply answers (an intent id such as
    `ai-speech` or `ai-speech/languages`), set on answers that can be rated.
    """

    text: str
    suggestions: tuple[str, ...] = ()
    kind: ReplyKind = ReplyKind.TEXT
    title: str = ""
    summary: str = ""
    notes: tuple[str, ...] = ()
    """Short remarks shown before the title (the walkthrough's "Got it: …")."""
    sections: tuple[Section, ...] = ()
    columns: tuple[Column, ...] = ()
    links: tuple[Link, ...] = ()
    related: tuple[str, ...] = ()
    topic: str | None = None
    image: Link | None = None
    """A picture cards show under the summary (`title`: its alt text; `url`: http(s) or data)."""
    file: Link | None = None
    """A file sent with the message (`title`: its name; `url`: where the bot serves it)."""
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Button labels by the text a click sends, where the knowledge says a shorter one
    (bot/core/labels.py); any other button's label follows the general rule."""

    def label(self, text: str, limit: int | None = LABEL_LIMIT) -> str:
        """What the button that sends `text` shows: at most `limit` characters (None: all)."""
        if limit is None:
            return text
        known = self.labels.get(text)
        if known is not None and fits(known, limit):
            return known
        return button_label(text, limit=limit)

    @property
    def rateable(self) -> bool:
        """True for answers that get 👍 / 👎 buttons."""
        return self.topic is not None


def _bullets(label: str, items: tuple[str, ...]) -> str:
    return f"**{label}**\n" + "\n".join(f"- {item}" for item in items)


def _related_titles(kb: KnowledgeBase | None, topic: Topic) -> tuple[str, ...]:
    if kb is None:
        return ()
    titles = [kb.topics[r].title for r in topic.related if r in kb.topics]
    return tuple(titles[:MAX_RELATED])


def topic_reply(topic: Topic, kb: KnowledgeBase | None = None) -> Reply:
    """A topic's answer: the short answer, when to use it and when not, and one link."""
    if topic.kind is Kind.SMALLTALK:
        return Reply(topic.summary)
    parts = [f"**{topic.title}**: {topic.summary}"]
    sections = []
    if topic.when_to_use:
        parts.append(_bullets("Use it when", topic.when_to_use))
        sections.append(Section("Use it when", topic.when_to_use))
    if topic.when_not_to_use:
        parts.append(_bullets("Look elsewhere when", topic.when_not_to_use))
        sections.append(Section("Look elsewhere when", topic.when_not_to_use))
    if topic.detail:
        parts.append(topic.detail)
        sections.append(Section(text=topic.detail))
    parts.append(f"Learn more: [{topic.link.title}]({topic.link.url})")
    return Reply(
        "\n\n".join(parts),
        kind=ReplyKind.ANSWER,
        title=topic.title,
        summary=topic.summary,
        sections=tuple(sections),
        links=(topic.link,),
        related=_related_titles(kb, topic),
        topic=topic.id,
    )


def intent_reply(intent: Intent, kb: KnowledgeBase | None = None) -> Reply:
    """The answer for a routed intent: a question's own answer, or the topic's."""
    if intent.question is None:
        return topic_reply(intent.topic, kb)
    topic = intent.topic
    link = question_link(topic, intent.question)
    text = f"{intent.question.answer}\n\nMore on {topic.title}: [{link.title}]({link.url})"
    return Reply(
        text,
        kind=ReplyKind.ANSWER,
        title=topic.title,
        summary=intent.question.answer,
        links=(link,),
        related=(topic.title,),
        topic=intent.id,
    )


def as_asked(reply: Reply, message: str) -> Reply:
    """The reply with a leading "Yes." or "No." left out when the message asked no yes-or-no
    question ("which models does Azure OpenAI offer?" is not answered "Yes: o1-preview …", nor
    "… an open model, not gpt. where?" "Yes. Foundry …");
    the rest of the answer stands on its own."""
    said = _YES_OR_NO.match(reply.summary)
    asked = strip_mentions(message).lower().strip()
    if said is None or not (_OPENS_WITH_WH.match(asked) or _ENDS_WITH_WH.search(asked)):
        return reply
    rest = reply.summary[said.end() :]
    # "it's expensive" opens "It's expensive"; a name stays as written ("o1-preview and …")
    answer = rest[:1].upper() + rest[1:] if _PLAIN_WORD.match(rest) else rest
    return dataclasses.replace(
        reply, text=reply.text.replace(reply.summary, answer, 1), summary=answer
    )


def question_link(topic: Topic, question: Question) -> Link:
    """The topic's link a question is about: the one whose title shares the most words with the
    question's wording and answer ("batch scoring of Spark models on Databricks"), when it
    shares `_LINK_WORDS` more than the main link does; else the main link."""
    said = {stem(w) for w in _LINK_WORD.findall(" ".join((*question.ask, question.answer)).lower())}
    shared = [
        len(said & {stem(w) for w in _LINK_WORD.findall(link.title.lower())})
        for link in topic.links
    ]
    best = max(range(len(shared)), key=shared.__getitem__)
    return topic.links[best] if shared[best] >= shared[0] + _LINK_WORDS else topic.link


def _side(topic: Topic) -> str:
    text = f"**{topic.title}**: {topic.summary}"
    if topic.when_to_use:
        text += "\n" + "\n".join(f"- Pick it when: {item}" for item in topic.when_to_use[:2])
    return text


def comparison_topic_id(comparison: Comparison) -> str:
    """The id feedback on a comparison is stored under: the written comparison topic's id, or
    the two topic ids joined with `+` in a stable order."""
    if comparison.written is not None:
        return comparison.written.id
    return "+".join(sorted((comparison.first.id, comparison.second.id)))


def comparison_reply(comparison: Comparison, kb: KnowledgeBase | None = None) -> Reply:
    """Two topics side by side: the KB's written comparison when it has one, else each one's
    summary and when to pick it."""
    if comparison.written is not None:
        return topic_reply(comparison.written, kb)
    first, second = comparison.first, comparison.second
    links = " · ".join(f"[{t.link.title}]({t.link.url})" for t in (first, second))
    parts = [
        f"**{first.title} vs {second.title}**",
        _side(first),
        _side(second),
        f"Learn more: {links}",
    ]
    return Reply(
        "\n\n".join(parts),
        kind=ReplyKind.COMPARISON,
        title=f"{first.title} vs {second.title}",
        columns=tuple(
            Column(t.title, t.summary, t.when_to_use[:2], t.link) for t in (first, second)
        ),
        links=(first.link, second.link),
        related=(first.title, second.title),
        topic=comparison_topic_id(comparison),
    )


def followup_reply(kb: KnowledgeBase, topic: Topic, followup: FollowUp) -> Reply:
    """One part of the topic in focus, as the answer to a follow-up about it."""
    link = topic.link
    title, items, text = topic.title, (), ""
    if followup.answer == "when_not_to_use":
        title, items = f"When not to use {topic.title}", topic.when_not_to_use
    elif followup.answer == "when_to_use":
        title, items = f"When {topic.title} is the right choice", topic.when_to_use
    elif followup.answer == "detail":
        title, text = f"{topic.title}, in more depth", topic.detail or topic.summary
    elif followup.answer == "story" and (stories := stories_for(kb, topic)):
        story = stories[0]  # a customer story in focus is its own story
        who = story.title if story.id == topic.id else f"Who uses {topic.title}: {story.title}"
        title, text, link = who, story.summary, story.link
    elif followup.answer in FOLLOWUP_PARTS and followup.answer != "link":
        title = topic.title
        missing = (
            f"I don't know a customer story about {topic.title}."
            if followup.answer == "story"
            else f"I don't have that for {topic.title}."
        )
        text = f"{missing} Here is what I know about it: {topic.summary}"
    else:
        # the page named in the text too: a channel may show the link only as a button
        text = f"The page to start from for {topic.title}: {link.title}."
    body = "\n".join(f"- {item}" for item in items) if items else text
    answer = f"**{title}**\n\n{body}\n\nLearn more: [{link.title}]({link.url})"
    sections = (Section(items=items),) if items else ()
    return Reply(
        answer,
        followup_labels(kb, topic, exclude=followup.id),
        kind=ReplyKind.ANSWER,
        title=title,
        summary=text,
        sections=sections,
        links=(link,),
        topic=topic.id,
    )


def placement_reply(kb: KnowledgeBase, topic: Topic, place: Topic) -> Reply:
    """The answer to "is it in Fabric too?" when the knowledge does not place the topic in
    focus in that platform: said plainly, with what the platform offers."""
    title = f"{topic.title} in {place.title}?"
    text = (
        f"I don't know {topic.title} as part of {place.title}, so I can't point you to it there. "
        f"What {place.title} itself offers: {place.summary}"
    )
    link = place.link
    return Reply(
        f"**{title}**\n\n{text}\n\nLearn more: [{link.title}]({link.url})",
        followup_labels(kb, topic),
        kind=ReplyKind.ANSWER,
        title=title,
        summary=text,
        links=(link,),
        topic=place.id,
    )


def followup_labels(
    kb: KnowledgeBase, topic: Topic, exclude: str = "", *, shown: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The follow-up buttons offered under an answer about a topic: the follow-ups it can
    answer (not the parts the answer already `shown`), a comparison with its first comparable
    related topic, its first specific question, and for a written comparison, each side."""
    if topic.kind in (Kind.SMALLTALK, Kind.ACTION, Kind.DECLINE):
        return ()
    other = compared_with(kb, topic)
    labels = [
        f.label.replace(OTHER_TOPIC, other.title if other else "")
        for f in kb.conversation.followups
        if f.id != exclude
        and f.answer not in ("", "link", *shown)
        and has_part(kb, topic, f.answer)
        and not (f.answer == "story" and topic.kind is Kind.CUSTOMER_STORY)  # it is the story
    ]
    asked = {_opening(label) for label in labels}
    labels += [
        f"{q.ask[0][0].upper()}{q.ask[0][1:]}?"
        for q in topic.questions
        if q.id != exclude
        and q.ask[0].split()[0].lower() in _QUESTION_WORDS
        and _opening(q.ask[0]) not in asked  # "Which service did Volkswagen use?" after
        # "Which service did they use?": one button asks it
    ][:1]
    # a written comparison goes on to either side ("RAG vs fine-tuning": each one on its own)
    labels += [kb.topics[t].title for t in topic.compares if t in kb.topics]
    return tuple(labels[:MAX_FOLLOWUPS])


def _opening(question: str) -> tuple[str, ...]:
    """A question's first three words, lowercased: two buttons opening alike ask alike."""
    return tuple(question.lower().split()[:3])


def replace_labels(reply: Reply, labels: Mapping[str, str]) -> Reply:
    """The reply with these button labels (bot/core/labels.py)."""
    return dataclasses.replace(reply, labels=labels)


def decline_reply(intent: Intent, kb: KnowledgeBase) -> Reply:
    """A recognized decline: what the message is about, why not here, and the Azure topics
    that play the same role (as buttons)."""
    said = intent.answer
    counterparts = tuple(kb.topics[r].title for r in intent.topic.related if r in kb.topics)[
        :MAX_RELATED
    ]
    text = f"{said}\n\n{COVERAGE}"
    return Reply(text, counterparts, kind=ReplyKind.UNKNOWN, summary=text)


def suggestion_text(intent: Intent) -> str:
    """The message a user sends by clicking a suggestion: one that routes back to the intent."""
    return intent.question.ask[0] if intent.question is not None else intent.topic.title


class Replies:
    """Builds every reply that depends on the knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        others = {o.id: o for t in kb.topics.values() if (o := compared_with(kb, t))}
        self.labels = knowledge_labels(
            kb, (f.label for f in kb.conversation.followups), others.values()
        )
        """Every button label the knowledge makes that differs from the text it sends."""
        self._answers: dict[str, Reply] = {}
        """Each answered intent's reply, made when first given (it depends on the intent and
        the knowledge alone; the follow-ups' parts and stories are looked up across topics)."""

    def _examples(self) -> tuple[str, ...]:
        help_topic = self.kb.topics.get(HELP_TOPIC)
        return tuple(self.kb.topics[r].title for r in help_topic.related) if help_topic else ()

    def for_understood(self, understood: Understood) -> Reply:
        """The reply for a message read in context: a follow-up's part of the focus topic, or
        the decision's reply."""
        if understood.followup is not None and understood.topic is not None:
            reply = followup_reply(self.kb, understood.topic, understood.followup)
            return replace_labels(reply, self.labels)
        if understood.unplaced is not None and understood.topic is not None:
            reply = placement_reply(self.kb, understood.topic, understood.unplaced)
            return replace_labels(reply, self.labels)
        return self.for_decision(understood.decision)

    def for_decision(self, decision: Decision) -> Reply:
        """The reply for a routed message that is not an action."""
        reply = self._for_decision(decision)
        return reply if reply.labels is self.labels else replace_labels(reply, self.labels)

    def _for_decision(self, decision: Decision) -> Reply:
        if decision.comparison is not None:
            return comparison_reply(decision.comparison, self.kb)
        top = decision.top
        if decision.outcome is Outcome.ANSWER and top is not None:
            if top.intent.topic.id == HELP_TOPIC:
                return self.help()
            return as_asked(self._answer(top.intent), decision.text)
        declined = decision.outcome is Outcome.NONE and top is not None
        if declined and top.intent.topic.kind is Kind.DECLINE:
            return decline_reply(top.intent, self.kb)
        if decision.outcome is Outcome.AMBIGUOUS:
            names = tuple(dict.fromkeys(suggestion_text(m.intent) for m in decision.matches))
            text = "I'm not sure which one you mean. Did you mean one of these?"
            return Reply(text, (*names, NONE_OF_THESE), kind=ReplyKind.DID_YOU_MEAN, summary=text)
        return self.unknown(decision.text)

    def _answer(self, intent: Intent) -> Reply:
        """An answered intent's reply, with its follow-ups as buttons."""
        reply = self._answers.get(intent.id)
        if reply is None:
            reply = intent_reply(intent, self.kb)
            shown = _TOPIC_PARTS if intent.question is None else frozenset()
            followups = followup_labels(self.kb, intent.topic, shown=shown)
            reply = dataclasses.replace(
                reply, suggestions=(*reply.suggestions, *followups), labels=self.labels
            )
            self._answers[intent.id] = reply
        return reply

    def help(self) -> Reply:
        """What ArchBot can do, with example topics as buttons."""
        topic = self.kb.topics.get(HELP_TOPIC)
        text = topic.summary if topic else "Ask me about Azure AI and data services."
        return Reply(text, self._examples(), kind=ReplyKind.HELP, summary=text, labels=self.labels)

    def welcome(self) -> Reply:
        """The first message a new user sees: the greeting (one introduction, not the greeting and
        the help text one after the other) with example questions as buttons."""
        greeting = self.kb.topics.get(GREETING_TOPIC)
        text = greeting.summary if greeting else "Hi, I'm ArchBot."
        return Reply(
            text, self._examples(), kind=ReplyKind.WELCOME, summary=text, labels=self.labels
        )

    def team_welcome(self, bot_name: str = "ArchBot") -> Reply:
        """The welcome posted once when ArchBot is added to a team or a group chat."""
        greeting = self.kb.topics.get(GREETING_TOPIC)
        hello = greeting.summary if greeting else "Hi, I'm ArchBot."
        how = (
            f"Mention me (**@{bot_name}**) with a question about Azure AI and data services, "
            "or ask me to help pick an architecture. I answer in the thread. You can also "
            "search what I know from the message box and insert a topic card."
        )
        text = f"{hello}\n\n{how}"
        return Reply(
            text, self._examples(), kind=ReplyKind.WELCOME, summary=text, labels=self.labels
        )

    def unknown(self, said: str = "") -> Reply:
        """An honest 'I don't know', with a hint of what ArchBot can do; to a message that only
        tells of the user's own situation, what they want to achieve is asked back instead."""
        if tells_own_situation(said):
            text = (
                "I'm not sure what you'd like from me there. If it's about a project, tell me what "
                'you want to achieve (for example "pull the totals out of them" or "answer '
                "questions over them\") and I'll name the Azure service that fits, or pick "
                "**Guided architecture walkthrough** and I'll ask a few questions and recommend "
                "a design."
            )
        else:
            text = (
                "I don't know that one. I answer questions about Azure AI and data services and "
                "help choose an AI architecture; type **help** to see what I cover."
            )
        return Reply(
            text, self._examples(), kind=ReplyKind.UNKNOWN, summary=text, labels=self.labels
        )

    def feedback_thanks(self, helpful: bool) -> Reply:
        """The acknowledgement of a 👍 / 👎 click."""
        if helpful:
            return Reply("Thanks for the feedback! 👍")
        return Reply(
            "Thanks for telling me. 👎 I've noted it for the people who write my knowledge base; "
            "try asking in other words, or type **help** to see what I cover."
        )
