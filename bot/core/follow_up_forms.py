"""The forms a message takes when it questions an answer given: "why not Databricks?", "what if
we had a data science team?", "no, we do have data scientists". Plain text patterns, shared by
the walkthrough's advisor (about its recommendation) and the conversation's comparisons (about
the pair compared last)."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.core.text import LEAD_IN as _LEAD

_CORRECTION = re.compile(
    r"^\s*(?:(?:no|nope|nah)\b(?=\s*[,.;:!\-–—]|\s+(?:we|i|it'?s|our|they|that'?s|actually)\b)"
    r"|actually|wait|correction|sorry|not quite|that'?s (?:not right|wrong)|i meant|we meant)"
    r"[\s,.;:!\-–—]*",
    re.IGNORECASE,
)
"""A message that sets an earlier answer right: "no, we do have data scientists"."""
_WHY_NOT = re.compile(
    "|".join(
        _LEAD + pattern
        for pattern in (
            r"(?:why|how come)\s+(?:not|(?:didn'?t|did not|don'?t|do not|wouldn'?t|would not|"
            r"won'?t|shouldn'?t|should not|can'?t|cannot)\s+(?:you|we|i)(?:\s+just)?)\s+"
            r"(?:(?:recommend|suggest|pick|choose|go with|use|using|consider|try)\s+)?"
            r"(?P<subject>.+)$",
            r"(?:why|how come)\s+(?:isn'?t|is not|wasn'?t|was not)\s+(?P<subject2>.+?)\s+"
            r"(?:recommended|chosen|picked|suggested|included|in (?:it|there|the recommendation)|"
            r"an option|the answer|better)$",
            r"(?:what|how) about\s+(?P<subject3>.+?)\s+instead$",
        )
    ),
    re.IGNORECASE,
)
"""A question about a service the recommendation left out: "why not Databricks?"."""
_WHAT_IF = re.compile(
    _LEAD + r"(?:(?:what|how)\s+(?:about\s+)?if|if|suppose|supposing|assuming|imagine|"
    r"(?:what|how)\s+would\s+(?:it|that|this|the recommendation|you recommend|change|"
    r"you suggest)(?:\s+(?:change|look|be))?\s+if)\s*:?\s+(?P<change>.+)$",
    re.IGNORECASE,
)
"""A change to one answer after the recommendation: "what if we had a data science team?"."""
_ASKED_AFTER = re.compile(
    r",\s*(?:(?:can|could|do|does|is|are|should|would|will)\s+(?:we|i|it|they|you|that|this|those)"
    r"|how|what|which|where|why|when|who)\b",
    re.IGNORECASE,
)
"""A question asked after the condition ("and if each type needs its own model, can we glue
them together?"): a question in that case, not a change to an answer."""
_FOLLOW_UP_START = re.compile(
    r"\s*(?:and|but|so|ok|okay|hmm|then|also|why|how|what|if|suppose|supposing|assuming|imagine|"
    r"no|nope|nah|actually|wait|correction|sorry|not|that|i|we)\b",
    re.IGNORECASE,
)
"""The first words a follow-up after the recommendation can start with (`_LEAD`, `_WHY_NOT`,
`_WHAT_IF`, `_CORRECTION`)."""
_MEANT = re.compile(r"^(?:(?:no|nope)\W+)?(?:i|we) mean", re.IGNORECASE)
_ARTICLES = re.compile(r"^(?:(?:the|a|an|using|use|just|plain|go with)\s+)+", re.IGNORECASE)


def correction(text: str) -> tuple[bool, str]:
    """(True, the rest) for a message that sets an earlier answer right ("no, we do have data
    scientists"); (False, text) otherwise. "no data scientists" is an answer, not a correction."""
    found = _CORRECTION.match(text)
    if found is None or not text[found.end() :].strip():
        return False, text
    return True, text[found.end() :]


class FollowUp(StrEnum):
    """What a message after the recommendation asks about it."""

    WHY_NOT = "why-not"
    WHAT_IF = "what-if"
    CORRECTION = "correction"
    """ "no, we do have data scientists": a what-if about an answer given, taken as the answer."""


def follow_up(text: str) -> tuple[FollowUp, str] | None:
    """(kind, subject) for "why not X?" (the service X), "what if …?" and "no, we do …" (the
    change), else None. "no, I meant …" is left to the knowledge base's corrections."""
    if not _FOLLOW_UP_START.match(text):
        return None  # most messages: one cheap look at the first word
    text = " ".join(text.replace("’", "'").split()).rstrip(" ?.!")
    found = _WHY_NOT.match(text)
    if found is not None:
        subject = next(g for g in found.group("subject", "subject2", "subject3") if g)
        return FollowUp.WHY_NOT, _ARTICLES.sub("", subject.strip())
    found = _WHAT_IF.match(text)
    if found is not None:
        change = found.group("change")
        return None if _ASKED_AFTER.search(change) else (FollowUp.WHAT_IF, change.strip())
    correcting, rest = correction(text)
    if correcting and not _MEANT.match(text):
        return FollowUp.CORRECTION, rest.strip()
    return None
