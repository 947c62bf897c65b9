"""A structural check of Adaptive Card JSON against version 1.5, the highest Teams renders.

`check_card(card)` returns the problems (empty when the card is fine), each as `path: message`:
the version, element and action types a 1.5 host knows (anything newer or misspelled would be
dropped or replaced by fallback text), the properties each one needs, unique ids, and the size
Teams accepts for one message. The tests also run the official JS SDK (npm `adaptivecards`) over
every card; this check needs no Node and runs anywhere.
"""

from __future__ import annotations

import json
from typing import Any

TARGET_VERSION = "1.5"
MAX_MESSAGE_BYTES = 28 * 1024
"""Teams rejects a message (card included) larger than about 28 KB."""

ELEMENTS = frozenset(
    {
        "TextBlock",
        "RichTextBlock",
        "Image",
        "Media",
        "Container",
        "ColumnSet",
        "FactSet",
        "ImageSet",
        "ActionSet",
        "Table",
        "Input.Text",
        "Input.Number",
        "Input.Date",
        "Input.Time",
        "Input.Toggle",
        "Input.ChoiceSet",
    }
)
"""Body elements of Adaptive Cards 1.0–1.5 (Column, TextRun and table parts live inside)."""
ACTIONS = frozenset(
    {"Action.OpenUrl", "Action.Submit", "Action.ShowCard", "Action.ToggleVisibility"}
    | {"Action.Execute"}
)
"""Actions of Adaptive Cards 1.0–1.5 (Action.Execute: 1.4)."""
_URL_SCHEMES = ("https://", "http://", "mailto:", "tel:")


def _version(text: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.ids: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def _id(self, node: dict[str, Any], path: str) -> None:
        node_id = node.get("id")
        if node_id is None:
            return
        if not isinstance(node_id, str) or not node_id:
            self.problem(path, "'id' must be a non-empty string")
        elif node_id in self.ids:
            self.problem(path, f"duplicate id {node_id!r}")
        else:
            self.ids.add(node_id)

    def _text(self, node: dict[str, Any], key: str, path: str) -> None:
        if not isinstance(node.get(key), str):
            self.problem(path, f"{node.get('type')} needs a string {key!r}")

    def _list(self, node: dict[str, Any], key: str, path: str, *, empty: bool = True) -> list:
        value = node.get(key)
        if not isinstance(value, list) or (not empty and not value):
            need = "a list" if empty else "a non-empty list"
            self.problem(path, f"{node.get('type')} needs {need} {key!r}")
            return []
        return value

    def elements(self, items: Any, path: str) -> None:
        if not isinstance(items, list):
            self.problem(path, "must be a list of elements")
            return
        for index, element in enumerate(items):
            self.element(element, f"{path}[{index}]")

    def element(self, element: Any, path: str) -> None:
        if not isinstance(element, dict):
            self.problem(path, "an element must be an object")
            return
        kind = element.get("type")
        if kind not in ELEMENTS:
            self.problem(path, f"unknown element type {kind!r} for Adaptive Cards {TARGET_VERSION}")
            return
        self._id(element, path)
        if "selectAction" in element:
            self.action(element["selectAction"], f"{path}.selectAction", select=True)
        if kind == "TextBlock":
            self._text(element, "text", path)
        elif kind == "RichTextBlock":
            for index, inline in enumerate(self._list(element, "inlines", path, empty=False)):
                where = f"{path}.inlines[{index}]"
                if isinstance(inline, str):
                    continue
                if not isinstance(inline, dict) or inline.get("type") != "TextRun":
                    self.problem(where, "RichTextBlock inlines must be TextRuns or strings")
                else:
                    self._text(inline, "text", where)
        elif kind == "Image":
            self._text(element, "url", path)
        elif kind == "Container":
            self.elements(self._list(element, "items", path), f"{path}.items")
        elif kind == "ColumnSet":
            for index, column in enumerate(element.get("columns") or []):
                where = f"{path}.columns[{index}]"
                if not isinstance(column, dict) or column.get("type", "Column") != "Column":
                    self.problem(where, "ColumnSet columns must be Columns")
                    continue
                self._id(column, where)
                if "selectAction" in column:
                    self.action(column["selectAction"], f"{where}.selectAction", select=True)
                self.elements(column.get("items", []), f"{where}.items")
        elif kind == "FactSet":
            for index, fact in enumerate(self._list(element, "facts", path, empty=False)):
                if not isinstance(fact, dict):
                    self.problem(f"{path}.facts[{index}]", "a fact must be an object")
                    continue
                self._text(fact, "title", f"{path}.facts[{index}]")
                self._text(fact, "value", f"{path}.facts[{index}]")
        elif kind == "ImageSet":
            self.elements(self._list(element, "images", path), f"{path}.images")
        elif kind == "ActionSet":
            self.actions(self._list(element, "actions", path, empty=False), f"{path}.actions")
        elif kind.startswith("Input."):
            if not element.get("id"):
                self.problem(path, f"{kind} needs an 'id'")
            if kind == "Input.ChoiceSet":
                self._list(element, "choices", path)

    def actions(self, actions: Any, path: str) -> None:
        if not isinstance(actions, list):
            self.problem(path, "must be a list of actions")
            return
        for index, action in enumerate(actions):
            self.action(action, f"{path}[{index}]")

    def action(self, action: Any, path: str, *, select: bool = False) -> None:
        if not isinstance(action, dict):
            self.problem(path, "an action must be an object")
            return
        kind = action.get("type")
        if kind not in ACTIONS:
            self.problem(path, f"unknown action type {kind!r} for Adaptive Cards {TARGET_VERSION}")
            return
        self._id(action, path)
        if not select and not isinstance(action.get("title"), str):
            self.problem(path, f"{kind} needs a string 'title'")
        if kind == "Action.OpenUrl":
            url = action.get("url")
            if not isinstance(url, str) or not url.startswith(_URL_SCHEMES):
                self.problem(path, f"Action.OpenUrl needs an absolute 'url', got {url!r}")
        elif kind == "Action.Submit":
            data = action.get("data")
            if data is not None and not isinstance(data, dict | str):
                self.problem(path, "Action.Submit 'data' must be an object or a string")
        elif kind == "Action.ShowCard":
            if select:
                self.problem(path, "Action.ShowCard cannot be a selectAction")
            self.card(action.get("card"), f"{path}.card", nested=True)
        elif kind == "Action.Execute" and not isinstance(action.get("verb", ""), str):
            self.problem(path, "Action.Execute 'verb' must be a string")

    def card(self, card: Any, path: str, *, nested: bool = False) -> None:
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
            self.problem(path, "must be an object with type 'AdaptiveCard'")
            return
        if not nested:
            version = _version(card.get("version"))
            if card.get("version") != TARGET_VERSION:
                self.problem(
                    f"{path}.version",
                    f"must be {TARGET_VERSION!r} (Teams renders up to {TARGET_VERSION}), "
                    f"got {card.get('version')!r}",
                )
            elif version is None:
                self.problem(f"{path}.version", "is not a version number")
        self.elements(card.get("body", []), f"{path}.body")
        if "actions" in card:
            self.actions(card["actions"], f"{path}.actions")
        if "selectAction" in card:
            self.action(card["selectAction"], f"{path}.selectAction", select=True)


def check_card(card: Any) -> list[str]:
    """What is wrong with an Adaptive Card for a 1.5 host (empty list: nothing)."""
    checker = _Checker()
    checker.card(card, "$")
    try:
        size = len(json.dumps(card, ensure_ascii=False).encode())
    except (TypeError, ValueError) as error:
        checker.problem("$", f"is not JSON-serializable: {error}")
    else:
        if size > MAX_MESSAGE_BYTES:
            checker.problem("$", f"is {size} bytes; Teams accepts about {MAX_MESSAGE_BYTES}")
    return checker.problems
