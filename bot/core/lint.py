"""Warnings about a valid knowledge base: things that load fine but are probably wrong.

`archbot kb check` prints them as `file:line: warning: message`; they never change its exit code.

- **An alias names another product.** "azure data factory" (or "adf", which the vocabulary expands
  to it) on a topic titled "Fabric Data Factory" sends people asking about one product to the
  answer about another. A topic's *home* products are the product names (Azure, Fabric,
  Databricks, HDInsight, Synapse) in its title, or, when the title has none, in the first sentence
  of its summary ("OneLake is Fabric's …"). An alias may name a home product, or a product that
  another of the topic's names pairs with a home product ("azure synapse pipelines" makes
  "synapse pipelines" fine on the Azure Data Factory topic). Any other product name is a warning.
- **A link shares no words with its topic.** A link whose title has no content word in common
  with the topic's title, aliases and summary is probably the page for another topic. Words that
  say nothing about a page's subject ("Azure", "overview", "documentation", …) do not count.
  Small talk, actions and declines are left out: their replies show no link.
- **A button would be cut.** A topic title, a question, a "Compare it with …" follow-up or a
  walkthrough choice whose button label (bot/core/labels.py) has no form that fits: add `short`.

Plain Python: no botbuilder import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.core.context import compared_with
from bot.core.kb import KnowledgeBase, Vocabulary
from bot.core.labels import (
    ELLIPSIS,
    LABEL_LIMIT,
    choice_label,
    knowledge_labels,
    question_label,
    topic_label,
)
from bot.core.loader import DEFAULT_KNOWLEDGE_DIR, TOPICS_GLOB
from bot.core.text import Normalizer, stem
from bot.core.walkthrough_loader import WALKTHROUGH_FILE
from bot.core.yaml_reader import Problem, Reader, YamlMap, YamlSeq

PRODUCT_WORDS = ("azure", "fabric", "databricks", "hdinsight", "synapse")
"""Names that tell product families apart ("Azure Data Factory" vs "Fabric Data Factory")."""

GENERIC_LINK_WORDS = frozenset(
    {
        "azure",
        "microsoft",
        "ai",
        "overview",
        "documentation",
        "docs",
        "introduction",
        "intro",
        "guide",
        "tutorial",
        "learn",
        "started",
        "new",
        "center",
        "page",
    }
)
"""Words of a link title that say nothing about what the page is about."""

LINKLESS_KINDS = frozenset({"smalltalk", "action", "decline"})
"""Kinds whose replies never show the topic's link: their links are not checked."""

_FIRST_SENTENCE = re.compile(r"^(.*?[.!?])(?:\s|$)", re.DOTALL)


@dataclass(frozen=True, order=True)
class LintWarning(Problem):
    """One probable mistake in the knowledge base, with where it is (a `Problem` that does not
    stop the bot)."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: warning: {self.message}"


@dataclass(frozen=True)
class _Name:
    text: str
    line: int


class _Words:
    """The knowledge base's own word handling: abbreviations expanded, synonyms, stems."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._normalizer = Normalizer(vocabulary)
        self._stopwords = vocabulary.stopwords
        self.products = {stem(w): w for w in PRODUCT_WORDS}
        self._generic = {stem(w) for w in GENERIC_LINK_WORDS}

    def read_as(self, text: str) -> str:
        """The text as routing reads it (lowercase, abbreviations expanded)."""
        return self._normalizer.normalize(text).text

    def stems(self, text: str) -> set[str]:
        """The stems of the text's words, stopwords left out."""
        words = self._normalizer.normalize(text).words
        return {stem(w) for w in words if w not in self._stopwords}

    def product_stems(self, text: str) -> set[str]:
        return self.stems(text) & self.products.keys()

    def content_stems(self, text: str) -> set[str]:
        return self.stems(text) - self._generic

    def product_names(self, stems: set[str]) -> str:
        return ", ".join(sorted(self.products[s].capitalize() for s in stems))


def _text(entry: YamlMap, key: str) -> str:
    value = entry.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _names(entry: YamlMap, key: str) -> list[_Name]:
    value = entry.get(key)
    if not isinstance(value, YamlSeq):
        return []
    return [
        _Name(" ".join(str(item).split()), line)
        for item, line in zip(value, value.item_lines, strict=True)
        if isinstance(item, str | int | float) and not isinstance(item, bool)
    ]


def _topics(root: Path) -> Iterator[tuple[str, YamlMap]]:
    """Every topic mapping of the knowledge folder, with the file it is in (as errors name it)."""
    for path in sorted(root.glob(TOPICS_GLOB)):
        reader = Reader(str(path.relative_to(root.parent)), [])  # errors: the loader reports them
        data = reader.parse(path)
        topics = data.get("topics") if isinstance(data, YamlMap) else None
        if isinstance(topics, YamlSeq):
            for entry in topics:
                if isinstance(entry, YamlMap):
                    yield reader.file, entry


def _alias_warnings(file: str, entry: YamlMap, words: _Words) -> Iterator[LintWarning]:
    title = _text(entry, "title")
    home = words.product_stems(title)
    if not home:
        first = _FIRST_SENTENCE.match(_text(entry, "summary"))
        home = words.product_stems(first.group(1) if first else _text(entry, "summary"))
    if not home:
        return
    aliases = _names(entry, "aliases")
    allowed = set(home)
    for alias in aliases:
        named = words.product_stems(alias.text)
        if named & home:
            allowed |= named
    for alias in aliases:
        stray = words.product_stems(alias.text) - allowed
        if not stray:
            continue
        read_as = words.read_as(alias.text)
        shown = repr(alias.text)
        if read_as != " ".join(alias.text.lower().split()):
            shown += f" (read as {read_as!r})"
        yield LintWarning(
            file,
            alias.line,
            f"alias {shown} of topic {entry.get('id')!r} names {words.product_names(stray)}, "
            f"but the topic is about {words.product_names(home)} ({title!r}): "
            "it probably belongs to another topic",
        )


def _link_warnings(file: str, entry: YamlMap, words: _Words) -> Iterator[LintWarning]:
    if entry.get("kind") in LINKLESS_KINDS:
        return
    names = [_text(entry, "title"), *(a.text for a in _names(entry, "aliases"))]
    topic_words = words.stems(" ".join([*names, _text(entry, "summary")]))
    links = entry.get("links")
    if not isinstance(links, YamlSeq):
        return
    for link in links:
        if not isinstance(link, YamlMap) or not isinstance(link.get("title"), str):
            continue
        link_words = words.content_stems(link["title"])
        if link_words and not link_words & topic_words:
            yield LintWarning(
                file,
                link.key_lines["title"],
                f"link {link['title']!r} of topic {entry.get('id')!r} shares no words with the "
                "topic's title, aliases or summary: is it the page this topic's readers want?",
            )


def _cut_warning(file: str, line: int, text: str, label: str, fix: str) -> LintWarning:
    return LintWarning(
        file,
        line,
        f"button {text!r} would show {label!r}: no shorter form of it fits {LABEL_LIMIT} "
        f"characters (Teams cuts longer button titles); {fix}",
    )


def _label_warnings(
    file: str, entry: YamlMap, kb: KnowledgeBase, labels: dict[str, str]
) -> Iterator[LintWarning]:
    """A topic whose title, question or "Compare it with …" button would be cut (labels.py)."""
    topic = kb.topics.get(str(entry.get("id")))
    if topic is None:
        return
    line = entry.key_lines.get("title", entry.line)
    if topic_label(topic, kb.topics).endswith(ELLIPSIS):
        yield _cut_warning(file, line, topic.title, topic_label(topic, kb.topics), "add 'short'")
    for text, label in labels.items():
        if topic.title in text and text != topic.title and label.endswith(ELLIPSIS):
            yield _cut_warning(file, line, text, label, "add a shorter 'short' to this topic")
    questions = entry.get("questions")
    for question, data in zip(topic.questions, questions or (), strict=False):
        label = question_label(topic, question)
        if label.endswith(ELLIPSIS) and isinstance(data, YamlMap):
            yield _cut_warning(
                file,
                data.key_lines.get("ask", data.line),
                question.ask[0],
                label,
                "add an ask phrase that fits",
            )


def _choice_warnings(root: Path, kb: KnowledgeBase) -> Iterator[LintWarning]:
    """A walkthrough choice whose button would be cut."""
    path = root / WALKTHROUGH_FILE
    if kb.walkthrough is None or not path.exists():
        return
    reader = Reader(str(path.relative_to(root.parent)), [])
    data = reader.parse(path)
    lines: dict[str, int] = {}
    questions = data.get("questions") if isinstance(data, YamlMap) else None
    for question in questions if isinstance(questions, YamlSeq) else ():
        choices = question.get("choices") if isinstance(question, YamlMap) else None
        for choice in choices if isinstance(choices, YamlSeq) else ():
            if isinstance(choice, YamlMap) and isinstance(choice.get("label"), str):
                lines[" ".join(choice["label"].split())] = choice.key_lines["label"]
    for question in kb.walkthrough.questions:
        for choice in question.choices:
            label = choice_label(choice)
            if label.endswith(ELLIPSIS):
                line = lines.get(choice.label, 1)
                yield _cut_warning(reader.file, line, choice.label, label, "add 'short'")


def lint_knowledge(
    root: Path = DEFAULT_KNOWLEDGE_DIR,
    vocabulary: Vocabulary | None = None,
    kb: KnowledgeBase | None = None,
) -> list[LintWarning]:
    """The warnings for the knowledge folder at `root` (read with the KB's `vocabulary`); with
    the loaded `kb`, also every button whose label would be cut."""
    words = _Words(vocabulary or Vocabulary())
    labels = {}
    if kb is not None:
        others = {o.id: o for t in kb.topics.values() if (o := compared_with(kb, t))}
        labels = knowledge_labels(kb, (f.label for f in kb.conversation.followups), others.values())
    found: list[LintWarning] = []
    for file, entry in _topics(root):
        found.extend(_alias_warnings(file, entry, words))
        found.extend(_link_warnings(file, entry, words))
        if kb is not None:
            found.extend(_label_warnings(file, entry, kb, labels))
    if kb is not None:
        found.extend(_choice_warnings(root, kb))
    return sorted(set(found))
