"""The bot's markdown replies as a terminal shows them: bold, bullets, wrapped lines and links.

`Style.for_stream` decides how: on a terminal, ANSI bold/italic, links underlined and clickable
(OSC 8, with the address after them for terminals without it) and lines wrapped to the window; when
the output is a pipe or a file, plain text (no escape codes, no wrapping). Either way no markdown
markers are left: `**`, `[text](url)` and `- ` become bold (or plain words), `text (url)` and `•`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

MAX_WIDTH = 100
BOLD, NOT_BOLD = "\x1b[1m", "\x1b[22m"
ITALIC, NOT_ITALIC = "\x1b[3m", "\x1b[23m"
UNDERLINE, NOT_UNDERLINE = "\x1b[4m", "\x1b[24m"
DIM, NOT_DIM = "\x1b[2m", "\x1b[22m"

_ESCAPES = re.compile(r"\x1b\][^\x1b]*\x1b\\|\x1b\[[0-9;]*m")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(
    r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)([^_\n]+?)_(?!\w)"
)
_CODE = re.compile(r"`([^`\n]+)`")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_BULLET = re.compile(r"^(\s*)[-*•+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\s*)(\d+[.)])\s+(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_QUOTE = re.compile(r"^>\s?(.*)$")


@dataclass(frozen=True)
class Style:
    """How to print: with escape codes or not, and the width to wrap at (None: no wrapping)."""

    ansi: bool
    width: int | None

    @classmethod
    def for_stream(cls, stream: TextIO, plain: bool = False) -> Style:
        """Styled and wrapped on a terminal, plain otherwise (or when `plain` is asked for)."""
        if plain or not stream.isatty():
            return cls(ansi=False, width=None)
        return cls(ansi=True, width=min(shutil.get_terminal_size().columns, MAX_WIDTH))


PLAIN = Style(ansi=False, width=None)


def visible_length(text: str) -> int:
    """How many columns `text` takes, escape codes not counted."""
    return len(_ESCAPES.sub("", text))


def inline(text: str, style: Style) -> str:
    """Bold, italic, code and links within one line, as escape codes or plain text."""
    links: list[str] = []

    def link(match: re.Match[str]) -> str:
        label, url = match[1], match[2]
        shown = label if label == url else f"{label} ({url})"
        if style.ansi:
            anchor = f"\x1b]8;;{url}\x1b\\{UNDERLINE}{label}{NOT_UNDERLINE}\x1b]8;;\x1b\\"
            shown = anchor if label == url else f"{anchor} {DIM}({url}){NOT_DIM}"
        links.append(shown)
        return f"\x00{len(links) - 1}\x00"  # kept out of the emphasis rules below

    text = _LINK.sub(link, text)
    text = _CODE.sub(lambda m: m[1], text)
    bold, italic = (BOLD, NOT_BOLD), (ITALIC, NOT_ITALIC)
    if not style.ansi:
        bold = italic = ("", "")
    text = _BOLD.sub(lambda m: f"{bold[0]}{m[1] or m[2]}{bold[1]}", text)
    text = _ITALIC.sub(lambda m: f"{italic[0]}{m[1] or m[2]}{italic[1]}", text)
    text = _ESCAPED.sub(r"\1", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m[1])], text)


def wrap(text: str, width: int | None, first: str = "", rest: str = "") -> list[str]:
    """Greedy word wrap that measures visible columns; a word longer than the line (an address)
    stays whole."""
    if width is None:
        return [first + text]
    lines: list[str] = []
    line, used = first, visible_length(first)
    empty = True
    for word in text.split():
        size = visible_length(word)
        if not empty and used + 1 + size > width:
            lines.append(line)
            line, used, empty = rest, visible_length(rest), True
        if not empty:
            line, used = line + " ", used + 1
        line, used, empty = line + word, used + size, False
    lines.append(line)
    return lines


def render(markdown: str, style: Style = PLAIN) -> str:
    """A markdown reply as terminal lines."""
    out: list[str] = []
    for raw in markdown.strip().splitlines():
        line = raw.rstrip()
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        if heading := _HEADING.match(line):
            text = inline(heading[1], style)
            out += wrap(f"{BOLD}{text}{NOT_BOLD}" if style.ansi else text, style.width)
        elif bullet := _BULLET.match(line):
            indent = "  " + " " * len(bullet[1])
            out += wrap(inline(bullet[2], style), style.width, f"{indent}• ", indent + "  ")
        elif numbered := _NUMBERED.match(line):
            indent = "  " + " " * len(numbered[1])
            first = f"{indent}{numbered[2]} "
            rest = " " * len(first)
            out += wrap(inline(numbered[3], style), style.width, first, rest)
        elif quote := _QUOTE.match(line):
            out += wrap(inline(quote[1], style), style.width, "  │ ", "  │ ")
        else:
            out += wrap(inline(line, style), style.width)
    return "\n".join(out).rstrip()


def choices(titles: Sequence[str], style: Style, numbered: bool) -> str:
    """A reply's buttons: numbered when the reader can answer with the number (`archbot chat`)."""
    lines = []
    for n, title in enumerate(titles, 1):
        mark = f"{n})" if numbered else "›"
        if style.ansi:
            mark = f"{DIM}{mark}{NOT_DIM}"
        lines += wrap(title, style.width, f"  {mark} ", "     ")
    return "\n".join(lines)
