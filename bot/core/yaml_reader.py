"""Reading YAML knowledge files with line numbers, collecting problems as `file:line: message`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.kb import Link

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK_KEYS = {"title", "url"}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the knowledge base."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class YamlMap(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class YamlSeq(list):
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (~4x faster to read the knowledge base); its
nodes and errors carry the same line marks."""


class _UnhashableKey(Exception):
    """A mapping key that is a list or a mapping (`? [a, b]`)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _LineLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader that records line numbers and reports duplicate keys."""

    duplicates: list[tuple[int, str]]


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[YamlMap]:
    data = YamlMap()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, list | dict | set):
            raise _UnhashableKey(line)
        if key in data.key_lines:
            loader.duplicates.append((line, f"duplicate key {key!r}"))
        data.key_lines[key] = line
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[YamlSeq]:
    data = YamlSeq()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


class Reader:
    """Collects problems while reading one file's parsed YAML."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.failed = False
        """True once the file could not be read or parsed (its problem is recorded)."""

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def parse(self, path: Path) -> Any:
        """The file's YAML, or None (with the problem recorded, `failed` set) when it cannot be
        read or parsed: never an exception for what a file holds."""
        text = self._read(path)
        if text is None:
            self.failed = True
            return None
        loader = _LineLoader(text)
        loader.duplicates = []
        try:
            return loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = f"YAML syntax error: {exc.problem}"
            if exc.context and exc.context_mark and exc.context_mark.line != mark.line:
                message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
            self.problem(mark.line + 1 if mark else 1, message)
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow
            line = text[: max(exc.position, 0)].count("\n") + 1
            char = exc.character if isinstance(exc.character, int) else ord(exc.character)
            self.problem(line, f"YAML syntax error: character U+{char:04X} is not allowed")
        except yaml.YAMLError as exc:
            self.problem(1, f"YAML syntax error: {exc}")
        except _UnhashableKey as exc:
            self.problem(exc.line, "a mapping key must be text, not a list or a mapping")
        except RecursionError:
            self.problem(1, "YAML nested too deeply")
        finally:
            for line, message in loader.duplicates:
                self.problem(line, message)
            loader.dispose()
        self.failed = True
        return None

    def _read(self, path: Path) -> str | None:
        """The file as text (UTF-8, a byte-order mark allowed), or None with the problem."""
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            self.problem(0, "is a directory, not a file")
            return None
        except OSError as exc:
            self.problem(0, f"cannot be read: {exc.strerror or exc}")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(
                line,
                f"not UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8",
            )
            return None

    def mapping(self, value: Any, line: int, what: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.problem(line, f"{what} must be a mapping")
        return None

    def keys(self, data: YamlMap, allowed: set[str], required: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(data.key_lines[key], f"unknown key {key!r} in {what}")
        for key in sorted(required - data.keys()):
            self.problem(data.line, f"{what} is missing required key {key!r}")

    def text(self, data: YamlMap, key: str, what: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(data.key_lines[key], f"{what}: {key!r} must be non-empty text")
            return ""
        return " ".join(value.split())

    def texts(self, data: YamlMap, key: str, what: str) -> tuple[tuple[str, int], ...]:
        """A list of non-empty strings, each with its line."""
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, YamlSeq):
            self.problem(data.key_lines[key], f"{what}: {key!r} must be a list")
            return ()
        found = []
        for item, line in zip(value, value.item_lines, strict=True):
            if (
                isinstance(item, str | int | float)
                and not isinstance(item, bool)
                and str(item).strip()
            ):
                found.append((" ".join(str(item).split()), line))
            elif isinstance(item, bool):
                self.problem(
                    line,
                    f"{what}: an item of {key!r} reads as {str(item).lower()} (YAML takes yes, no, "
                    "on and off as booleans): quote it",
                )
            elif isinstance(item, dict):
                self.problem(
                    line,
                    f"{what}: an item of {key!r} reads as a mapping: quote it "
                    "(a colon followed by a space starts a YAML mapping)",
                )
            else:
                self.problem(line, f"{what}: every item of {key!r} must be non-empty text")
        return tuple(found)


def read_link(reader: Reader, entry: YamlMap, what: str) -> Link:
    """One `{title, url}` mapping; the url must be https."""
    reader.keys(entry, LINK_KEYS, LINK_KEYS, what)
    url = reader.text(entry, "url", what)
    if url and not url.startswith("https://"):
        reader.problem(entry.key_lines["url"], f"{what}: url must start with https://")
    return Link(reader.text(entry, "title", what), url)
