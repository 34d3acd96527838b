"""Remember that the user asked to stop, so an interrupt lost on its way still stops the build.

Python raises KeyboardInterrupt wherever the main thread happens to be when SIGINT arrives. If
that is a finalizer (`__del__`) or a weakref callback, which run at arbitrary moments during
layout, the exception is printed as "Exception ignored" and swallowed, and the build would go
on to write its PDF. The handler below also sets a flag, and the pipeline checks it before
every step that commits anything.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_requested = threading.Event()


def _stop(signum: int, frame: FrameType | None) -> None:
    _requested.set()
    raise KeyboardInterrupt


def install_handlers() -> None:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt, and remember that they came."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def stop_if_interrupted() -> None:
    """Raise KeyboardInterrupt if a stop was asked for, even if its first KeyboardInterrupt was lost."""
    if _requested.is_set():
        raise KeyboardInterrupt
