"""Rebuild the guide on every save: one build per burst of saves, only when an input changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from guide.errors import Diagnostic, GuideError
from guide.options import BuildOptions, BuildResult
from guide.pipeline import build

DEBOUNCE_MS = 1600
"""Longest wait for a burst of saves to end before rebuilding."""
STEP_MS = 150
"""A burst ends after this long without another change."""


@dataclass(frozen=True)
class Rebuild:
    """One rebuild's outcome."""

    seconds: float
    """How long the build took, wall-clock."""
    result: BuildResult | None
    """The build's result; None if an author error stopped it (the previous PDF is left as it was)."""
    errors: tuple[Diagnostic, ...] = ()
    """What stopped it."""

    def needs(self, changed: set[Path]) -> bool:
        """Whether a change to these files calls for another build: any, after a failed one."""
        return self.result is None or bool(changed & self.result.inputs)


def rebuild(project: Path, output: Path, options: BuildOptions) -> Rebuild:
    """Build once; an author error is an outcome to show, not the end of the watch."""
    start = time.perf_counter()
    try:
        result = build(project, output, options)
    except GuideError as exc:
        return Rebuild(time.perf_counter() - start, None, tuple(exc.diagnostics))
    return Rebuild(time.perf_counter() - start, result)


def watch_project(
    project: Path,
    output: Path,
    options: BuildOptions,
    on_rebuild: Callable[[Rebuild], None],
    *,
    stop: threading.Event | None = None,
    on_watching: Callable[[], None] | None = None,
) -> None:
    """Build, then build again after each burst of saves that touches an input, until `stop` is set.

    The watcher runs before the first build begins, so a save made during any build (the first
    included) is seen once it ends and builds again at once. `on_watching` is called when it runs.
    """
    project = project.resolve()
    roots = [project]
    if options.style is not None and not options.style.resolve().is_relative_to(project):
        roots.append(options.style.resolve().parent)
    ignored = _OutputFilter(project, output)
    last: Rebuild | None = None
    # yield_on_timeout: the first (empty) round comes once the watcher runs; the first build goes there.
    for changes in watchfiles.watch(
        *roots,
        watch_filter=ignored,
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop,
        rust_timeout=STEP_MS,
        yield_on_timeout=True,
    ):
        changed = {Path(path).resolve() for _, path in changes}
        if last is None and on_watching is not None:
            on_watching()
        if last is None or (changed and last.needs(changed)):
            last = rebuild(project, output, options)
            on_rebuild(last)
            _tidy()


def _tidy() -> None:
    """Free what the last build left behind while the author reads it, not in the next build."""
    from guide.typesetting.book import tidy_kept  # noqa: PLC0415 - loaded by the build already

    tidy_kept()


class _OutputFilter(watchfiles.DefaultFilter):
    """Ignore what builds write (the output's folder, the cache) besides editors' and tools' files."""

    def __init__(self, project: Path, output: Path) -> None:
        # The output file, not its folder: a PDF written among the posts must not hide their saves.
        written = [project / "build", output.resolve()]
        super().__init__(ignore_paths=[str(path) for path in written])

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not Path(path).name.endswith(".tmp")
