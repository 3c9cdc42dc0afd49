"""Test helper: play a check-then-insert race deterministically (no threads, no sleeps).

A concurrent request commits its row between this request's look-up and its insert; the test commits that row first
and makes the look-up miss once, which is what this request would have seen."""

from __future__ import annotations

from typing import Any

import pytest


def miss_once(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, missed: Any = None) -> list[object]:
    """The module's look-up answers `missed` on its first call (the row is not there yet, as far as this request
    saw), then as usual. Returns the calls it missed, so that a test can tell the race was played."""
    real, calls = getattr(module, name), []

    def look_up(*args: Any, **kwargs: Any) -> Any:
        if not calls:
            calls.append(args)
            return missed
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, look_up)
    return calls
