"""The `guide` command: a plain `guide build` starts its workers before Typer loads.

The commands themselves, their options and help, are a Typer app (`guide.commands`). Typer and
rich take about 0.1 s to load, and a rebuild's workers (`pool.early_workers`) each load WeasyPrint
for about 0.3 s before they lay out an edited part. So `main`, loading neither, reads `guide build`
in its plain forms (`plain_build_args`), checks whether the PDF is up to date and forks the
workers; then it loads the commands, which run that build (or, for any other command line, Typer)
as before. `app` is the Typer app, loaded when first asked for.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from guide.errors import GuideError
from guide.interrupt import install_handlers
from guide.manifest import Edition, MissingImages
from guide.options import BuildOptions, BuildResult, default_output
from guide.paths import path_text_problem
from guide.uptodate import Started, build_started, unchanged_build

PlainBuild = tuple[Path, Path | None, BuildOptions]
"""`guide build`'s project, output (None: not given) and options, read by `plain_build_args`."""


@dataclass(frozen=True)
class Checked:
    """What a plain `guide build` found before the command line loaded."""

    unchanged: BuildResult | None
    """The last build's result if the PDF is up to date, else None (there is work to do)."""
    started: Started
    """When the build started, to record it only if no input changed meanwhile."""


def main() -> None:
    """Run the command line; Ctrl-C and SIGTERM end any command with exit 130, nothing half-written.

    Everything alive when the command ends is frozen (`gc.freeze`): the process ends with it, and
    the collection Python runs as it exits went over every object a build had made (the book, the
    merged PDF's objects), 0.05 to 0.1 s after the PDF was written.
    """
    install_handlers()
    plain = plain_build_args(sys.argv[1:])
    try:
        with _early_start(plain) as checked:
            from guide.commands import run  # noqa: PLC0415 - Typer and rich load once the workers are forked

            run(plain, checked)
    except KeyboardInterrupt:  # before the command line took over (it ends its own with 130)
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    finally:
        gc.freeze()


def __getattr__(name: str) -> Any:
    """`app`, the Typer app of every command (`guide.commands`), imported when first asked for."""
    if name != "app":
        raise AttributeError(name)
    from guide.commands import app  # noqa: PLC0415 - Typer and rich

    return app


@contextlib.contextmanager
def _early_start(plain: PlainBuild | None) -> Iterator[Checked | None]:
    """Check a plain build and, if it has work to do, start its workers for the block.

    None when it is no plain build or the check failed: the command line checks again and reports.
    """
    checked = _check(plain) if plain is not None else None
    if plain is None or checked is None or checked.unchanged is not None:
        yield checked
        return
    from guide.typesetting.pool import early_workers  # noqa: PLC0415 - only when there is work

    with early_workers(plain[0], plain[2]):
        yield checked


def _check(plain: PlainBuild) -> Checked | None:
    """Whether the build is up to date, and when it started; None if the command line must say why not."""
    project, output, options = plain
    if any(path is not None and path_text_problem(str(path)) for path in (project, output, options.style)):
        return None
    output = output or default_output(project)
    try:
        return Checked(unchanged_build(project, output, options), build_started(project, output, options))
    except (GuideError, OSError):
        return None


_BUILD_FLAGS = {"--strict": "strict", "--force": "force", "--allow-remote": "allow_remote"}
_BUILD_VALUES = {
    "-o": "output",
    "--output": "output",
    "--style": "style",
    "-j": "jobs",
    "--jobs": "jobs",
    "--edition": "edition",
    "--missing-images": "missing_images",
}


def plain_build_args(args: Sequence[str]) -> PlainBuild | None:
    """The project, output (None: not given) and options of `guide build` as `args`, in plain forms.

    `main` runs such a build without Typer's parsing, which loads pydantic (about 0.1 s of every
    build, before a rebuild could start its workers). Anything else is None, for Typer to read and
    report: `build` with at most one project and the build options each at most once (`--name value`,
    `--name=value`, `-o FILE`, `-j N`), valid values only; no `--help`, no `--`.
    """
    if not args or args[0] != "build":
        return None
    given: dict[str, str] = {}
    projects: list[str] = []
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _BUILD_FLAGS and not equals:
            key, value = _BUILD_FLAGS[name], "1"
        elif name in _BUILD_VALUES and (equals or rest):
            key, value = _BUILD_VALUES[name], value if equals else rest.pop(0)
        elif not arg.startswith("-") and not projects:
            projects.append(arg)
            continue
        else:
            return None
        if key in given:
            return None
        given[key] = value
    try:
        options = BuildOptions(
            strict="strict" in given,
            style=Path(given["style"]) if "style" in given else None,
            force="force" in given,
            allow_remote="allow_remote" in given,
            missing_images=MissingImages(given["missing_images"]) if "missing_images" in given else None,
            edition=Edition(given["edition"]) if "edition" in given else None,
        )
        if "jobs" in given:
            options = replace(options, jobs=int(given["jobs"]))
    except ValueError:
        return None
    if options.jobs < 1:
        return None
    project = Path(projects[0]) if projects else Path(".")
    return project, Path(given["output"]) if "output" in given else None, options
