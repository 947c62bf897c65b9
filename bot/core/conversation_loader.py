"""Reads knowledge/conversation.yaml (follow-ups, corrections, words that refer back) and
knowledge/guidance.yaml (what starts the walkthrough)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from bot.core.kb import FOLLOWUP_PARTS, ConversationCues, FollowUp
from bot.core.yaml_reader import ID_PATTERN, Problem, Reader, YamlMap, YamlSeq

CONVERSATION_FILE = "conversation.yaml"
GUIDANCE_FILE = "guidance.yaml"
_WORD_LISTS = (
    "refers",
    "refers_not",
    "corrections",
    "compare",
    "ellipses",
    "returns",
    "switches",
    "analogues",
    "objections",
    "already_on",
    "figures",
    "supports",
    "settings",
    "choose",
    "action_verbs",
    "action_always",
    "action_directed",
    "action_courtesy",
    "action_sequence",
    "declined_not",
)
"""The keys holding lists of words or phrases (ConversationCues' fields of the same names)."""
_GUIDANCE_LISTS = {
    "cues": "guidance",
    "weak_cues": "guidance_weak",
    "asks": "guidance_asks",
    "asks_not": "guidance_asks_not",
    "objects": "guidance_objects",
    "design": "guidance_design",
    "designing": "guidance_designing",
    "defining": "guidance_defining",
    "design_not_after": "guidance_design_not_after",
    "design_not_before": "guidance_design_not_before",
    "subjects": "guidance_subjects",
    "choosing": "guidance_choosing",
    "offerings": "guidance_offerings",
    "generic": "guidance_generic",
    "documents": "guidance_documents",
    "teams": "guidance_teams",
    "needing": "guidance_needing",
}
"""guidance.yaml's keys, and the ConversationCues fields they fill."""
GUIDANCE_CLASSES = frozenset({"design", "designing"})
"""The word classes a guidance cue may name in braces besides those of `classes`."""
_CLASSES_KEY = "classes"
"""guidance.yaml's mapping of further word classes: name → words."""
_CUE_CLASS = re.compile(r"\{([^}]*)\}")
_DECLINED_KEY = "declined_anywhere"
"""conversation.yaml's mapping of decline topic → words that decline a message anywhere."""
_KEYS = {*_WORD_LISTS, "followups", _DECLINED_KEY}
_FOLLOWUP_KEYS = {"id", "label", "phrases", "answer"}


def read_conversation(
    root: Path, problems: list[Problem], topics: Collection[str] | None = None
) -> ConversationCues:
    """The conversation cues of the knowledge folder: conversation.yaml's, with guidance.yaml's
    guidance cues (none of either when its file is absent). `topics`: the topic ids a decline
    may name (None: not checked)."""
    cues = _read_cues(root / CONVERSATION_FILE, root, problems, topics)
    return dataclasses.replace(cues, **_read_guidance(root / GUIDANCE_FILE, root, problems))


def _open(
    path: Path, root: Path, problems: list[Problem], what: str
) -> tuple[Reader, YamlMap] | None:
    """The file's top-level mapping and its reader; None when it is absent or broken (the
    problems say where)."""
    reader = Reader(str(path.relative_to(root.parent)), problems)
    if not path.exists():
        return None
    data = reader.parse(path)
    if reader.failed:
        return None
    data = reader.mapping(data, 1, what)
    return None if data is None else (reader, data)


def _read_guidance(path: Path, root: Path, problems: list[Problem]) -> dict[str, Any]:
    opened = _open(path, root, problems, "the guidance file")
    if opened is None:
        return {}
    reader, data = opened
    reader.keys(data, {*_GUIDANCE_LISTS, _CLASSES_KEY}, set(), "the guidance file")
    classes = _read_classes(reader, data)
    known = GUIDANCE_CLASSES | {name for name, _ in classes}
    found: dict[str, Any] = {"guidance_classes": classes}
    for key, field in _GUIDANCE_LISTS.items():
        texts = reader.texts(data, key, "the guidance file")
        for text, line in texts if key.endswith("cues") else ():
            for unknown in {c for c in _CUE_CLASS.findall(text) if c not in known}:
                names = ", ".join(f"{{{c}}}" for c in sorted(known))
                reader.problem(line, f"cue {text!r}: {{{unknown}}} is not a word class ({names})")
        found[field] = tuple(t.lower() for t, _ in texts)
    return found


def _read_classes(reader: Reader, data: YamlMap) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """guidance.yaml's `classes`: each name with its words (a cue says `{name}` for any)."""
    if _CLASSES_KEY not in data:
        return ()
    section = reader.mapping(data[_CLASSES_KEY], data.key_lines[_CLASSES_KEY], "'classes'")
    classes = []
    for name in section or ():
        if name in GUIDANCE_CLASSES or not re.fullmatch(r"[a-z_]+", str(name)):
            reader.problem(
                section.key_lines[name],
                f"class {name!r}: a class name is lowercase letters and '_', "
                f"and not {' or '.join(sorted(GUIDANCE_CLASSES))}",
            )
            continue
        words = tuple(w.lower() for w, _ in reader.texts(section, name, f"class {name!r}"))
        if not words:
            reader.problem(section.key_lines[name], f"class {name!r} needs at least one word")
            continue
        classes.append((str(name), words))
    return tuple(classes)


def _read_declined(
    reader: Reader, data: YamlMap, topics: Collection[str] | None
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """conversation.yaml's `declined_anywhere`: each decline topic with its words."""
    if _DECLINED_KEY not in data:
        return ()
    section = reader.mapping(data[_DECLINED_KEY], data.key_lines[_DECLINED_KEY], _DECLINED_KEY)
    declined = []
    for topic in section or ():
        line = section.key_lines[topic]
        if topics is not None and topic not in topics:
            reader.problem(line, f"{_DECLINED_KEY}: {topic!r} is not a topic")
            continue
        words = tuple(w.lower() for w, _ in reader.texts(section, topic, f"{topic!r}"))
        if not words:
            reader.problem(line, f"{_DECLINED_KEY}: {topic!r} needs at least one word")
            continue
        declined.append((str(topic), words))
    return tuple(declined)


def _read_cues(
    path: Path, root: Path, problems: list[Problem], topics: Collection[str] | None
) -> ConversationCues:
    opened = _open(path, root, problems, "the conversation file")
    if opened is None:
        return ConversationCues()
    reader, data = opened
    reader.keys(data, _KEYS, set(), "the conversation file")
    followups = []
    section = data.get("followups")
    if section is not None and not isinstance(section, YamlSeq):
        reader.problem(data.key_lines["followups"], "'followups' must be a list")
        section = None
    seen: set[str] = set()
    for item, line in zip(section or (), (section.item_lines if section else ()), strict=True):
        entry = reader.mapping(item, line, "a follow-up")
        if entry is not None:
            followup = _read_followup(reader, entry)
            if followup is not None and followup.id in seen:
                reader.problem(entry.line, f"follow-up {followup.id!r} is defined twice")
            elif followup is not None:
                seen.add(followup.id)
                followups.append(followup)
    words = {
        key: tuple(t.lower() for t, _ in reader.texts(data, key, "the conversation file"))
        for key in _WORD_LISTS
    }
    declined = _read_declined(reader, data, topics)
    return ConversationCues(followups=tuple(followups), declined_anywhere=declined, **words)


def _read_followup(reader: Reader, entry: YamlMap) -> FollowUp | None:
    what = f"follow-up {entry.get('id', '?')!r}"
    reader.keys(entry, _FOLLOWUP_KEYS, {"id", "label", "phrases"}, what)
    followup_id = entry.get("id")
    if not isinstance(followup_id, str) or not ID_PATTERN.match(followup_id):
        reader.problem(entry.key_lines.get("id", entry.line), f"{what}: id must be kebab-case")
        return None
    answer = reader.text(entry, "answer", what)
    if answer and answer not in FOLLOWUP_PARTS:
        reader.problem(
            entry.key_lines["answer"],
            f"{what}: answer must be one of {', '.join(FOLLOWUP_PARTS)}",
        )
    phrases = tuple(p for p, _ in reader.texts(entry, "phrases", what))
    if "phrases" in entry and not phrases:
        reader.problem(entry.key_lines["phrases"], f"{what}: needs at least one phrase")
    return FollowUp(followup_id, reader.text(entry, "label", what), phrases, answer)
