"""Run one slow pipeline stage in a second process while this one goes on.

The child is forked, so it starts with the loaded contract already in memory and nothing
is pickled on the way in; only the result comes back through a pipe. Where forking is not
possible or not safe (no fork on the platform, other threads running), the stage runs in
this process when its result is asked for. A child that fails for any reason is not
trusted: the stage is run again here, so a real bug surfaces with its own traceback.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Job(Protocol[T_co]):
    """A stage under way: its result when asked for, or stopped when no longer wanted."""

    def result(self) -> T_co: ...

    def cancel(self) -> None: ...


class Background(Generic[T]):
    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self._fn = fn
        self._args = args
        self._process: Any = None
        self._conn: Any = None
        if _can_fork():
            import multiprocessing

            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_run_child, args=(sender, fn, args), daemon=True)
            self._process.start()
            sender.close()
            self._conn = receiver

    def result(self) -> T:
        if self._process is not None:
            try:
                ok, value = self._conn.recv()
            except (EOFError, OSError):  # the child died without an answer
                ok, value = False, None
            finally:
                self._conn.close()
                self._process.join()
                self._process = None
            if ok:
                return value  # type: ignore[no-any-return]
        return self._fn(*self._args)

    def cancel(self) -> None:
        """The result is not needed: stop the child now."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._conn.close()
            self._process = None


def _can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1 and not os.environ.get("SPECGEN_NO_FORK")


def _run_child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # The child ends when its stage does: collecting cycles in it only costs time. (A stage that
    # turns the collector back on would sweep its whole inherited heap before sending its answer.)
    gc.disable()
    try:
        message: tuple[bool, Any] = (True, fn(*args))
    except BaseException:  # noqa: BLE001 - the parent runs the stage again and sees the error itself
        message = (False, None)
    conn.send(message)
    conn.close()


class Done(Generic[T]):
    """A stage whose result is already known: the same interface as Background, no process."""

    def __init__(self, value: T) -> None:
        self._value = value

    def result(self) -> T:
        return self._value

    def cancel(self) -> None:
        pass
