"""Values the renderers of one build compute once and share across its outputs: an event's
VEVENT text, its feed entry. Only a build keeps them (``build_scope``); a renderer called on its
own computes every value afresh, and gives the same bytes.

Each value is filed under a kind (``"vevent"``, ``"feed entry"``...) that the build ``forget``s
once every output that reads it is rendered, so that a big timeline never holds them all at once.
A key holds everything the value depends on besides its owner (domain, base URL...), and a value
is kept for the very owner object it was computed for: an edited event (a new object) with the
same id is computed afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

from pledge_timeline.model import Event

T = TypeVar("T")


class RenderMemo:
    """The values of one build, by kind and key."""

    __slots__ = ("_kinds",)

    def __init__(self) -> None:
        self._kinds: dict[str, dict[Hashable, tuple[object, object]]] = {}

    def for_owner(self, owner: object, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` for ``kind`` and ``key``, once while ``owner`` is the object it is for."""
        values = self._kinds.get(kind)
        if values is None:
            values = self._kinds[kind] = {}
        found = values.get(key)
        if found is not None and found[0] is owner:
            return cast(T, found[1])
        value = compute()
        values[key] = (owner, value)
        return value

    def forget(self, *kinds: str) -> None:
        """Drop the values of these kinds: they are computed afresh if asked for again."""
        for kind in kinds:
            self._kinds.pop(kind, None)


_CURRENT: ContextVar[RenderMemo | None] = ContextVar("pledge_timeline_render_memo", default=None)


@contextmanager
def build_scope() -> Iterator[RenderMemo]:
    """A memo the renderers called inside share (in this thread), dropped at the end."""
    memo = RenderMemo()
    token = _CURRENT.set(memo)
    try:
        yield memo
    finally:
        _CURRENT.reset(token)


def shared(owner: object, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or the value the build already computed for ``owner``, ``kind`` and ``key``."""
    memo = _CURRENT.get()
    return compute() if memo is None else memo.for_owner(owner, kind, key, compute)


def shared_for_event(event: Event, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``shared`` for an event's value: keyed by its id as well as ``key``."""
    memo = _CURRENT.get()  # as ``shared`` does, without a call more for each event and kind
    return compute() if memo is None else memo.for_owner(event, kind, (event.id, key), compute)
