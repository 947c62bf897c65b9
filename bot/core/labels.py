"""Button labels that fit on one line: what a button shows, apart from what clicking it sends.

Teams (and the Microsoft 365 Agents Playground, which renders cards as Teams does) never wraps a
button's title: a long one is cut at the card's edge ("Reference architecture: RAG solution
design and e…"). So every button shows a label of at most `LABEL_LIMIT` characters while its
click still sends the full text, which the bot reads exactly as before (a card's
`{"archbot": "say", "text": <full text>}`, a suggested action's `value`).

A label is the full text when it fits; else, in this order, the first of these that fits:

1. the knowledge's own short form (a topic's or a walkthrough choice's optional `short`);
2. the text without a trailing parenthesis ("Apache Spark in Microsoft Fabric (Fabric Runtime)"
   → "Apache Spark in Microsoft Fabric");
3. that, with the "Azure " / "Microsoft " before product names left out ("Apache Spark in
   Fabric");
4. what comes before a colon ("Reference architecture: RAG solution design and evaluation
   guide" → "Reference architecture");
5. the first clause, before a comma or a dash ("Our analysts and engineers, while building
   reports and notebooks" → "Our analysts and engineers");
6. cut after the last whole word that fits, with "…" (`archbot kb check` warns about every
   label from the knowledge that would end up here, so none does).

A question offered as a button (a "did you mean" option, a follow-up) is labelled with its
shortest phrasing that fits, else "<topic>: <question id in words>".

Plain Python: no botbuilder import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from bot.core.kb import Choice, KnowledgeBase, Question, Topic

LABEL_LIMIT = 42
"""The most characters a button label has: about one line of a full-width card button in the
Agents Playground (measured: "Apache Spark in Microsoft Fabric (Fabric Runtime)", 49, is cut
there; 36 fit with room to spare) and on a 375 px phone in Teams (Segoe UI, ~7 px a character)."""
ELLIPSIS = "…"
_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*$")
_VENDOR = re.compile(r"\b(?:Azure|Microsoft)\s+(?=[A-Z0-9])")
_CLAUSE = re.compile(r"\s*(?:,|;|\s[-–—]\s)\s*")
_QUESTION_WORDS = frozenset(
    {"what", "how", "which", "can", "does", "do", "is", "are", "where", "who", "why", "when"}
)
_PREPOSITIONS = frozenset(
    {"for", "with", "in", "from", "while", "across", "between", "without", "on", "to", "of"}
)
MIN_WORDS = 2
"""A shortened label keeps at least this many words (one word rarely says what a button does)."""


def fits(text: str, limit: int = LABEL_LIMIT) -> bool:
    """True when `text` is a label of at most `limit` characters."""
    return 0 < len(text) <= limit


def _shortenings(text: str) -> Iterator[str]:
    """The shorter forms of `text`, in the order they are tried (see the module's rule)."""
    bare = _PARENTHESIS.sub("", text).strip()
    yield bare
    yield _VENDOR.sub("", bare)
    head, colon, _ = bare.partition(": ")
    if colon:
        yield head.strip()
    clause = _CLAUSE.split(bare, maxsplit=1)[0].strip()
    if clause != bare and len(clause.split()) > MIN_WORDS:
        yield clause
    words = bare.split()
    for at in range(len(words) - 1, MIN_WORDS, -1):  # the longest head before a preposition
        if words[at].lower() in _PREPOSITIONS:
            yield " ".join(words[:at]).rstrip(",;:")


def derived_label(text: str, limit: int = LABEL_LIMIT) -> str | None:
    """`text`, or a shorter form of it that fits `limit` and keeps its meaning; None when the
    general rule finds none (the knowledge should say one: `short`)."""
    text = " ".join(text.split())
    if fits(text, limit):
        return text
    mark = "?" if text.endswith("?") else ""
    for short in _shortenings(text.removesuffix("?") if mark else text):
        short = short.rstrip("?") + mark if short else short
        if fits(short, limit) and len(short.split()) >= MIN_WORDS:
            return short
    return None


def cut(text: str, limit: int = LABEL_LIMIT) -> str:
    """The last resort: the words of `text` that fit, then "…"."""
    words = " ".join(text.split()).split(" ")
    kept = ""
    for word in words:
        longer = f"{kept} {word}".strip()
        if len(longer) + len(ELLIPSIS) > limit:
            break
        kept = longer
    kept = kept.rstrip(",;:-–— ") or text[: limit - len(ELLIPSIS)]
    return kept + ELLIPSIS


def short_problem(short: str, full: str, limit: int = LABEL_LIMIT) -> str | None:
    """What is wrong with `short` as the button label of `full`, or None (the loaders report it
    at the `short:` line)."""
    if len(short) > limit:
        return f"'short' {short!r} has {len(short)} characters; a button shows at most {limit}"
    if len(short) >= len(full):
        return f"'short' {short!r} is not shorter than {full!r}"
    return None


def button_label(text: str, short: str = "", limit: int = LABEL_LIMIT) -> str:
    """The label of a button that sends `text`: the text when it fits, else `short` (the
    knowledge's own) when given and fitting, else the general rule's."""
    text = " ".join(text.split())
    if fits(text, limit):
        return text
    if short and fits(short, limit):
        return short
    return derived_label(text, limit) or cut(text, limit)


def topic_label(
    topic: Topic, topics: Mapping[str, Topic] | None = None, limit: int = LABEL_LIMIT
) -> str:
    """The label of a button that sends a topic's title. A comparison too long for one is
    labelled with the labels of the two topics it compares ("Microsoft Copilot vs building
    your own in Copilot Studio" → "Microsoft Copilot vs Copilot Studio")."""
    if fits(topic.title, limit) or (topic.short and fits(topic.short, limit)):
        return button_label(topic.title, topic.short, limit)
    sides = [topics[c] for c in topic.compares if topics is not None and c in topics]
    if len(sides) == 2:
        for first in names_of(sides[0], limit):
            for second in names_of(sides[1], limit):
                if fits(f"{first} vs {second}", limit):
                    return f"{first} vs {second}"
    return button_label(topic.title, topic.short, limit)


def names_of(topic: Topic, limit: int = LABEL_LIMIT) -> list[str]:
    """What a topic can be called on a button, longest first: its title, its label, its
    `short` name, the label without "Azure" / "Microsoft", and its abbreviation ("Retrieval
    Augmented Generation (RAG)" → "RAG")."""
    label = button_label(topic.title, topic.short, limit)
    names = [topic.title, label, *([topic.short] if topic.short else []), _VENDOR.sub("", label)]
    abbreviation = _PARENTHESIS.search(topic.title)
    if abbreviation:
        names.append(abbreviation.group(0).strip(" ()"))
    return list(dict.fromkeys(names))


def choice_label(choice: Choice, limit: int = LABEL_LIMIT) -> str:
    """The label of a button that answers a walkthrough question with this choice."""
    return button_label(choice.label, choice.short, limit)


def as_question(ask: str) -> str:
    """An ask phrase as a button shows a question: capitalized, with a question mark when it
    starts with a question word ("how does it scale" → "How does it scale?")."""
    ask = " ".join(ask.split())
    if not ask:
        return ask
    words = ask.split()
    mark = "?" if words[0].lower() in _QUESTION_WORDS and not ask.endswith("?") else ""
    return f"{ask[0].upper()}{ask[1:]}{mark}"


def question_label(topic: Topic, question: Question, limit: int = LABEL_LIMIT) -> str:
    """The label of a button that asks one of a topic's questions: its shortest phrasing that
    fits (as a question), else "<topic>: <the question's id in words>"."""
    first = as_question(question.ask[0])
    if fits(first, limit):
        return first
    asks = sorted(
        (
            as_question(a)
            for a in question.ask
            if len(a.split()) > MIN_WORDS and a.split()[0].lower() in _QUESTION_WORDS
        ),
        key=len,
    )
    for ask in asks:
        if fits(ask, limit):
            return ask
    about = question.id.replace("-", " ")
    label = topic_label(topic, None, limit)
    for name in (topic.title, label, _VENDOR.sub("", label)):
        if fits(f"{name}: {about}", limit):
            return f"{name}: {about}"
    return button_label(first, limit=limit)


def other_label(template: str, other: Topic, limit: int = LABEL_LIMIT) -> str:
    """The label of a follow-up naming another topic ("Compare it with {other}"): the other's
    title, label, name without "Azure" / "Microsoft" or its abbreviation (the parenthesis of
    "Retrieval Augmented Generation (RAG)"), in as many of the template's words as fit
    ("Compare it with …", then "Compare with …")."""
    names = names_of(other, limit)
    for form in (template, template.replace(" it ", " ")):
        for name in names:
            if fits(form.replace("{other}", name), limit):
                return form.replace("{other}", name)
    return button_label(template.replace("{other}", names[-1]), limit=limit)


def knowledge_labels(
    kb: KnowledgeBase, followup_labels: Iterable[str] = (), others: Iterable[Topic] = ()
) -> dict[str, str]:
    """Labels of the buttons the knowledge makes, by the text clicking them sends: topic titles,
    questions (asked as typed, as a "did you mean" sends them, and as a follow-up shows them),
    follow-ups (`followup_labels`; `{other}`: each of the topics in `others`) and walkthrough
    choices. Only the texts whose label differs are kept."""
    labels: dict[str, str] = {}
    titles = {t.title: topic_label(t, kb.topics) for t in kb.topics.values()}
    labels.update(titles)
    for topic in kb.topics.values():
        for question in topic.questions:
            label = question_label(topic, question)
            labels[question.ask[0]] = label
            labels[as_question(question.ask[0])] = label
    for template in followup_labels:
        if "{other}" not in template:
            labels[template] = button_label(template)
            continue
        for other in others:
            full = template.replace("{other}", other.title)
            if not fits(full):
                labels[full] = other_label(template, other)
    if kb.walkthrough is not None:
        for walk_question in kb.walkthrough.questions:
            for choice in walk_question.choices:
                labels[choice.label] = choice_label(choice)
    return {text: label for text, label in labels.items() if label != text}
