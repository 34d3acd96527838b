"""Remember that the user asked to stop, so an interrupt lost on its way still stops the build.

Python raises KeyboardInterrupt wherever the main thread happens to be when SIGINT arrives. If
that is a finalizer (`__del__`) or a weakref callback, which run at arbitrary moments during
layout, the exception is printed as "Exception ignored" and swallowed, and the build would go
on to write its PDF. The handler below also sets a flag, and the pipeline checks it before
every step that commits anything.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

_requested = threading.Event()


_installer: list[int] = []
"""The process that installed the handlers: a worker forked from it inherits them."""


def _stop(signum: int, frame: FrameType | None) -> None:
    if os.getpid() not in _installer:
        # A forked worker, stopped before its own set-up ran: end quietly, as the signal means.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _requested.set()
    raise KeyboardInterrupt


def install_handlers() -> None:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt in this process, and remember that they came."""
    _installer[:] = [os.getpid()]
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def stop_if_interrupted() -> None:
    """Raise KeyboardInterrupt if a stop was asked for, even if its first KeyboardInterrupt was lost."""
    if _requested.is_set():
        raise KeyboardInterrupt
