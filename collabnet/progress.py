"""Progress bars for every step that can take more than a few seconds, with tqdm.

Library functions that read, fetch or write take ``progress=`` themselves; the steps inside
an indicator (building a network, writing GraphML, bootstrap intervals, shortest paths) ask
:func:`bar`, which shows a bar only inside :func:`showing_progress` — the command line turns
it on when standard error is a terminal and ``-q`` is not given — so library calls stay
silent unless asked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["bar", "showing_progress", "tracked"]

_SHOWING: ContextVar[bool] = ContextVar("collabnet_progress", default=False)


@contextlib.contextmanager
def showing_progress(on: bool = True) -> Iterator[None]:
    """Show (or, with ``on=False``, hide) progress bars of the steps run inside the block."""
    token = _SHOWING.set(bool(on))
    try:
        yield
    finally:
        _SHOWING.reset(token)


def bar(total: int | None = None, desc: str = "", unit: str = "", *, enabled: bool | None = None):
    """A tqdm bar on standard error, shown when ``enabled`` (default: inside
    :func:`showing_progress`); it leaves no line behind when done.

    >>> with bar(3, "counting") as b:  # outside showing_progress: silent
    ...     _ = b.update(3)
    >>> b.disable, bar(enabled=True).disable
    (True, False)
    """
    from tqdm.auto import tqdm

    shown = _SHOWING.get() if enabled is None else enabled
    return tqdm(total=total, desc=desc, unit=unit, disable=not shown, leave=False,
                mininterval=0.5)


def tracked(bar, items, step: int = 4096):
    """``items`` as they are, advancing ``bar`` by one per item (in steps of ``step``).

    >>> with bar(5) as b:
    ...     list(tracked(b, "abcde", step=2))
    ['a', 'b', 'c', 'd', 'e']
    """
    count = 0
    for count, item in enumerate(items, 1):
        if count % step == 0:
            bar.update(step)
        yield item
    bar.update(count % step)
