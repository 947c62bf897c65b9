"""Conversational context: a message read against what was just discussed.

The focus is what the conversation is about: the last topic answered, the last pair compared,
and the alternatives the last answer beat. A message is read on its own first
(bot/core/reading.py: spelling, requests to act, filler clauses); then, when a focus exists:

- a **correction** ("no, I meant the translation one") is routed again, read together with the
  topic it replaces, among the other topics and the other parts of that topic;
- **"the first one" / "the latter"** after a comparison counts to one side of it, and after a
  list (the last answer's, or the user's own) to one of its items; **"the other company"** after
  one topic was picked out of the focus's related ones is a sibling of it;
- a **follow-up** ("when should I not use it?") is answered from the focus topic's own part
  (knowledge/conversation.yaml says which), or routed again with the focus topic's name added;
- **"compare it with X"** compares the focus topic with X;
- a short question naming nothing ("how many languages?") is answered from the part of the
  focus topic whose passage says its words (bot/core/passages.py);
- a message that refers back and names no topic may mean a topic **the last answer named**:
  "what's that built on?" after "In OneLake, …" is OneLake's question (one the first sentence of
  the last answer named, when the message is clearly one of its questions and reads less well
  as the focus topic's own); "what did that one use?" after an answer naming several customer
  stories is the story named last; and when the message alone is no answer or lands far from
  the focus ("what other benefits does that give us?"), the focus topic's own part that reads
  clearly first answers it;
- a message that **refers back** ("does it work for batch jobs?") or that does not stand on its
  own is read against the focus topic, its related topics and the topic before it ("and LLM
  stuff?": the focus topic's own question about LLMs; "can I do RAG there too?": the part of the
  platform in focus that does RAG; "and the biggest?": the part just answered, again);
- a message that stands on its own is still settled by the focus when it is a near tie or a
  "did you mean …?" between readings one of which is near the focus topic.

After a customer story ("who uses it?"), the story is the focus: "they" is that customer.

A decline or a greeting leaves the focus as it was: an out-of-scope turn loses nothing.
Everything here is plain Python; the dialog layer keeps the focus in conversation state.

The modules, one job each:

- conversation.py: `Conversation`, which tries each kind of context in turn;
- focus.py: `Focus` (what the conversation is about), `Understood` (a message's decision and
  the context that shaped it) and `next_focus`;
- against_focus.py: `FocusReader`, a message read against the focus topic and its family,
  which every kind of context reads through;
- returns.py ("back to …"), corrections.py ("no, I meant …"), ordinals.py ("the second one",
  "the deep one"), last_answer.py ("what's that built on?", "that one"), followups.py
  (conversation.yaml's follow-ups), ellipses.py ("and the biggest?"), comparisons.py ("compare
  it with X", "which is better for us?"), implicit.py (messages naming nothing that the focus
  still reads) and references.py (messages referring back);
- cues.py (the words referring back), names.py (the topics a text names), listing.py (the
  items a text lists) and parts.py (the parts of a topic a follow-up is answered from).
"""

from bot.core.context.conversation import Conversation
from bot.core.context.focus import Focus, Understood, next_focus
from bot.core.context.parts import compared_with, has_part, service_of, stories_for

__all__ = [
    "Conversation",
    "Focus",
    "Understood",
    "compared_with",
    "has_part",
    "next_focus",
    "service_of",
    "stories_for",
]
