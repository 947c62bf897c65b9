"""The parts of a topic a follow-up is answered from (knowledge/conversation.yaml's `answer`):
its customer stories, the topic it is best compared with, the service a customer story used,
and what answering an intent says. Also used by the replies (bot/core/replies.py) and the
knowledge checks (bot/core/lint.py)."""

from __future__ import annotations

from bot.core.kb import Kind, KnowledgeBase, Topic

_SERVICE_KINDS = frozenset({Kind.SERVICE, Kind.TOOL, Kind.PLATFORM, Kind.MODEL})
"""What a customer story's service can be (`service_of`)."""
_HOME_KINDS = frozenset({Kind.SERVICE, Kind.PLATFORM})
"""What a concept or tool runs in (`home_of`)."""
_HOMED_KINDS = frozenset({Kind.CONCEPT, Kind.TOOL})
"""What runs in a service or platform (`home_of` answers for them only)."""
_COMPARED_KINDS = frozenset(
    {Kind.SERVICE, Kind.MODEL, Kind.PLATFORM, Kind.TOOL, Kind.LANGUAGE, Kind.CONCEPT}
)


def has_part(kb: KnowledgeBase, topic: Topic, part: str) -> bool:
    """Whether a topic has the part a follow-up is answered from."""
    if part == "story":
        return bool(stories_for(kb, topic))
    if part == "compare":
        return compared_with(kb, topic) is not None
    if part == "link":
        return True
    if part == "service":
        return service_of(kb, topic) is not None
    return bool(getattr(topic, part, None))


def service_of(kb: KnowledgeBase, topic: Topic) -> Topic | None:
    """The service a customer story is about: its first related topic that is one."""
    if topic.kind is not Kind.CUSTOMER_STORY:
        return None
    return _first_related(kb, topic, _SERVICE_KINDS)


def home_of(kb: KnowledgeBase, topic: Topic) -> Topic | None:
    """The service or platform a concept or tool runs in ("where does that live, like which
    service?" after AutoML: Azure Machine Learning): its first related topic that is one; None
    for anything else (a reference architecture names its services itself)."""
    if topic.kind not in _HOMED_KINDS:
        return None
    return _first_related(kb, topic, _HOME_KINDS)


def compared_with(kb: KnowledgeBase, topic: Topic) -> Topic | None:
    """The related topic a topic is best compared with: its first related one of a kind that
    compares (a service with a service, a concept with a concept …)."""
    if topic.kind not in _COMPARED_KINDS:
        return None
    return _first_related(kb, topic, _COMPARED_KINDS)


def _first_related(kb: KnowledgeBase, topic: Topic, kinds: frozenset[Kind]) -> Topic | None:
    """The topic's first related topic of one of these kinds."""
    related = (kb.topics[r] for r in topic.related if r in kb.topics)
    return next((r for r in related if r.kind in kinds), None)


def lists_stories(kb: KnowledgeBase, topic: Topic) -> bool:
    """Whether a customer-story topic lists the stories (relates several) rather than tells
    one customer's."""
    related = (kb.topics.get(r) for r in topic.related)
    return sum(1 for t in related if t is not None and t.kind is Kind.CUSTOMER_STORY) >= 2


def stories_for(kb: KnowledgeBase, topic: Topic) -> list[Topic]:
    """Customer stories about a topic: those it relates to, or that relate to it."""
    if topic.kind is Kind.CUSTOMER_STORY:
        return [topic]
    found = [
        kb.topics[r]
        for r in topic.related
        if r in kb.topics and kb.topics[r].kind is Kind.CUSTOMER_STORY
    ]
    found += [
        t
        for t in kb.topics.values()
        if t.kind is Kind.CUSTOMER_STORY and topic.id in t.related and t not in found
    ]
    return found
