"""Fixes to third-party behaviour, in one place: each says why and which version it is for.

Applied once, at start-up, by `apply_patches()`; each patch is idempotent.
"""

from __future__ import annotations

import pickle
from importlib.metadata import version
from typing import Any

import msrest
from botbuilder.core.bot_state import CachedBotState
from botbuilder.dialogs import DialogExtensions
from botframework.connector import Channels
from msrest.serialization import Model
from msrest.universal_http.requests import ClientRetryPolicy

from bot.hosting.schema_codec import FastDeserializer, install_model_deepcopy, schema_model_classes


def _fast_msrest_retry_policy() -> None:
    """msrest 0.7.1: `ClientRetryPolicy.__init__` computes `[i for i in range(999) if i not in
    safe_codes]` with `safe_codes` a 502-item list, ~4 ms per call. CloudAdapter (botbuilder 4.17.1)
    builds new connector and token clients, hence two policies, on every turn: ~8 ms of CPU per
    turn. The attribute is only used for that membership test, so a frozenset keeps the same
    behaviour at a fraction of the cost."""
    if msrest.__version__ == "0.7.1" and not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)


def _fast_activity_deserialize() -> None:
    """msrest 0.7.1 with botbuilder-schema 4.17.1: `Activity().deserialize(body)` — how every
    incoming activity is read — walks msrest's generic machinery for each of Activity's 40
    attributes, 0.1-0.2 ms per request. schema_codec.py reads plain JSON dicts into the same
    models ~3x faster, using msrest's own functions for every value; anything it cannot prove
    equal (not a plain dict, a subclass, an unexpected shape, any error) still goes to msrest."""
    if msrest.__version__ != "0.7.1" or version("botbuilder-schema") != "4.17.1":
        return
    stock = Model.deserialize.__func__
    if getattr(stock, "archbot_patched", False):
        return
    fast = FastDeserializer()

    def deserialize(cls: type, data: Any, content_type: str | None = None) -> Any:
        if content_type is None and type(data) is dict and fast.supports(cls):
            try:
                return fast.deserialize(cls, data)
            except Exception:
                pass
        return stock(cls, data, content_type)

    deserialize.archbot_patched = True  # type: ignore[attr-defined]
    Model.deserialize = classmethod(deserialize)  # type: ignore[method-assign]


def _no_state_snapshot_off_emulator() -> None:
    """botbuilder-dialogs 4.17.1: `DialogExtensions.run_dialog` ends every turn by building a
    snapshot of all dialog memory and sending it as a trace activity ("BotState"). Bot Framework
    delivers trace activities only to the Emulator (CloudAdapter drops them elsewhere), so on
    other channels the snapshot is built only to be thrown away; skip it there."""
    if version("botbuilder-dialogs") != "4.17.1":
        return
    stock = DialogExtensions._send_state_snapshot_trace
    if getattr(stock, "archbot_patched", False):
        return

    async def send_state_snapshot_trace(dialog_context: Any) -> None:
        if dialog_context.context.activity.channel_id == Channels.emulator:
            await stock(dialog_context)

    send_state_snapshot_trace.archbot_patched = True  # type: ignore[attr-defined]
    DialogExtensions._send_state_snapshot_trace = staticmethod(send_state_snapshot_trace)


def _fast_activity_deepcopy() -> None:
    """botbuilder-core 4.17.1 deep-copies every activity a bot sends (`TurnContext.
    send_activities`) and shallow-copies its accounts for every conversation reference; Python's
    generic copies of msrest models are slow (~90 µs for a reply with an Adaptive Card).
    botbuilder-schema's models get a `__deepcopy__` and `__copy__` with the generic ones' result
    (a new instance whose `__dict__` is a deep copy, memo kept; or shares the values) that walk
    the plain JSON inside (cards, channel data) directly: ~2.5x faster (schema_codec.py)."""
    if version("botbuilder-schema") != "4.17.1":
        return
    classes = schema_model_classes()
    if any("__deepcopy__" in cls.__dict__ for cls in classes):
        return  # already patched
    install_model_deepcopy(classes)


def _fast_state_fingerprint() -> None:
    """botbuilder-core 4.17.1: `BotState` tells whether a turn changed its state by comparing
    fingerprints, `str(jsonpickle.Pickler().flatten(state))`, taken when the state is loaded and
    again when it is saved (twice per state, per turn; ~0.1 ms each for a dialog stack).
    `pickle.dumps` of the same object graph is a fingerprint with the property that matters, at
    a fraction of the cost: a change to anything jsonpickle would store changes the bytes. (Equal
    content built from different objects may differ, which only costs a save.) State that pickle
    cannot handle keeps the stock fingerprint; the two never compare equal, so it is saved."""
    if version("botbuilder-core") != "4.17.1":
        return
    stock = CachedBotState.compute_hash
    if getattr(stock, "archbot_patched", False):
        return

    def compute_hash(self: CachedBotState, obj: object) -> Any:
        try:
            return pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        except Exception:
            return stock(self, obj)

    compute_hash.archbot_patched = True  # type: ignore[attr-defined]
    CachedBotState.compute_hash = compute_hash  # type: ignore[method-assign]


def apply_patches() -> None:
    """Apply every patch in this module."""
    _fast_msrest_retry_policy()
    _fast_activity_deserialize()
    _fast_activity_deepcopy()
    _no_state_snapshot_off_emulator()
    _fast_state_fingerprint()
