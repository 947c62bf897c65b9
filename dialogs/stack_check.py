"""Dialog stacks saved by another version of the bot: find what this version no longer has.

A conversation's dialog stack is stored with its state; a deploy that renames or removes a
dialog would leave stacks naming a dialog that no longer exists, and botbuilder then fails every
turn of that conversation. The handler checks the stack first and starts such conversations over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from botbuilder.dialogs import ComponentDialog, Dialog, DialogInstance, DialogState


def unknown_dialog(
    stack: Sequence[DialogInstance], find: Callable[[str], Dialog | None]
) -> str | None:
    """The id of the first dialog on `stack`, or on a component's inner stack, that `find` (or
    the component's own dialogs) does not know; None when every one is known."""
    for instance in stack:
        dialog = find(instance.id)
        if dialog is None:
            return instance.id
        inner = (instance.state or {}).get(ComponentDialog.persisted_dialog_state)
        if isinstance(dialog, ComponentDialog) and isinstance(inner, DialogState):
            missing = unknown_dialog(inner.dialog_stack, dialog._dialogs.find_dialog)
            if missing is not None:
                return missing
    return None
