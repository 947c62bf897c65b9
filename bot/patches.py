"""Fixes to third-party behaviour, in one place: each says why and which version it is for.

Applied once, at start-up, by `apply_patches()`; each patch is idempotent.
"""

from __future__ import annotations

import msrest
from msrest.universal_http.requests import ClientRetryPolicy


def _fast_msrest_retry_policy() -> None:
    """msrest 0.7.1: `ClientRetryPolicy.__init__` computes `[i for i in range(999) if i not in
    safe_codes]` with `safe_codes` a 502-item list, ~4 ms per call. CloudAdapter (botbuilder 4.17.1)
    builds new connector and token clients, hence two policies, on every turn: ~8 ms of CPU per
    turn. The attribute is only used for that membership test, so a frozenset keeps the same
    behaviour at a fraction of the cost."""
    if msrest.__version__ == "0.7.1" and not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)


def apply_patches() -> None:
    """Apply every patch in this module."""
    _fast_msrest_retry_policy()
