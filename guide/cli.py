"""The `guide` command: arguments in, API calls, diagnostics out, exit codes."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import guide
from guide.errors import Diagnostic, GuideError, Report
from guide.importing.options import ImportOptions, Order
from guide.interrupt import install_handlers
from guide.manifest import MissingImages
from guide.pipeline import BuildOptions, build, check, write_html
from guide.typeset import Progress

EXIT_AUTHOR_ERROR = 1
EXIT_INTERRUPTED = 130

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Compile a blog series into a PDF guide.",
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

ProjectArg = Annotated[
    Path, typer.Argument(help="The guide project: a folder with guide.toml.", show_default=True)
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat every warning as an error (for CI).")]
StyleOpt = Annotated[
    Path | None, typer.Option("--style", help="An extra stylesheet applied after the built-in ones.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an output file guide did not write.")]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Typeset in N worker processes, from the cache in build/.cache (default: the machine's cores;"
        " 1: the whole book as one document, no cache).",
    ),
]
RemoteOpt = Annotated[
    bool,
    typer.Option("--allow-remote", help="Fetch http(s) images (5 s timeout; local addresses stay refused)."),
]

MissingImagesOpt = Annotated[
    MissingImages | None,
    typer.Option(
        "--missing-images",
        help="An image that cannot be had (missing, remote, refused) stops the build (error) "
        "or prints as a framed placeholder with its alt text and address (placeholder). "
        "Default: guide.toml's missing_images, else error.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"guide {guide.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Compile a blog series into a PDF guide."""


def _print(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        stderr.print(str(diagnostic), markup=False)


@contextlib.contextmanager
def _author_errors() -> Iterator[None]:
    """Turn author mistakes into one line each and exit 1; Ctrl-C or SIGTERM into exit 130."""
    install_handlers()
    try:
        yield
    except GuideError as exc:
        _print(exc.diagnostics)
        raise typer.Exit(EXIT_AUTHOR_ERROR) from None
    except KeyboardInterrupt:
        stderr.print("interrupted", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None


@contextlib.contextmanager
def _progress() -> Iterator[Progress | None]:
    """Show a status line on a terminal; stay silent otherwise."""
    if not stderr.is_terminal:
        yield None
        return
    with stderr.status("Starting") as status:
        yield status.update


@app.command("build")
def build_command(
    project: ProjectArg = Path("."),
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write the PDF. Default: PROJECT/build/guide.pdf."),
    ] = None,
    strict: StrictOpt = False,
    style: StyleOpt = None,
    force: ForceOpt = False,
    allow_remote: RemoteOpt = False,
    missing_images: MissingImagesOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Build the guide's PDF."""
    options = BuildOptions(
        strict=strict,
        style=style,
        force=force,
        allow_remote=allow_remote,
        missing_images=missing_images,
    )
    if jobs is not None:
        options = replace(options, jobs=jobs)
    output = output or project / "build" / "guide.pdf"
    with _author_errors(), _progress() as progress:
        result = build(project, output, options, progress)
    _print(result.warnings)
    stderr.print(f"wrote {output} ({result.pages} pages)", markup=False)


@app.command("html")
def html_command(
    project: ProjectArg = Path("."),
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write the HTML. Default: PROJECT/build/guide.html."),
    ] = None,
    strict: StrictOpt = False,
    style: StyleOpt = None,
    force: ForceOpt = False,
    missing_images: MissingImagesOpt = None,
) -> None:
    """Write the exact HTML the PDF is typeset from (relative URLs resolve against PROJECT)."""
    report = Report()
    options = BuildOptions(strict=strict, style=style, force=force, missing_images=missing_images)
    output = output or project / "build" / "guide.html"
    with _author_errors():
        write_html(project, output, options, report)
    _print(report.warnings)
    stderr.print(f"wrote {output}", markup=False)


@app.command("check")
def check_command(
    project: ProjectArg = Path("."),
    strict: StrictOpt = False,
    style: StyleOpt = None,
    missing_images: MissingImagesOpt = None,
) -> None:
    """Run every check of a build without writing a PDF (the first step of a CI job)."""
    with _author_errors():
        warnings = check(project, BuildOptions(strict=strict, style=style, missing_images=missing_images))
    _print(warnings)
    stderr.print(f"ok: {project} ({len(warnings)} warnings)", markup=False)


def main() -> None:
    """Run the command line."""
    app()


@app.command("import")
def import_command(
    sources: Annotated[
        list[Path],
        typer.Argument(help="WordPress exports, RSS/Atom feeds, saved pages, Markdown or text posts."),
    ],
    into: Annotated[Path, typer.Option("--into", help="The guide project to create or extend.")],
    category: Annotated[str | None, typer.Option("--category", help="Only posts in this category.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only posts with this tag.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Only posts that mention this.")] = None,
    since: Annotated[
        datetime.datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="Only posts published on or after YYYY-MM-DD."),
    ] = None,
    until: Annotated[
        datetime.datetime | None,
        typer.Option("--until", formats=["%Y-%m-%d"], help="Only posts published on or before YYYY-MM-DD."),
    ] = None,
    order: Annotated[Order, typer.Option("--order", help="Chapter order.")] = Order.OLDEST,
    media: Annotated[
        Path | None, typer.Option("--media", help="A copy of the blog's uploads folder, to bring images in.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite chapter files that differ.")] = False,
) -> None:
    """Import a blog's posts into a guide project that `guide build` compiles."""
    options = ImportOptions(
        project=into,
        category=category,
        tag=tag,
        search=search,
        since=since.date() if since else None,
        until=until.date() if until else None,
        order=order,
        media=media,
        force=force,
    )
    with _author_errors():
        # Imported here: `guide build` should not pay for the import-only libraries.
        from guide.importing.run import import_sources  # noqa: PLC0415
        from guide.importing.summary import import_summary  # noqa: PLC0415

        result = import_sources(sources, options)
    for line in import_summary(result, into):
        stderr.print(line, markup=False)
    if result.clashes:  # the rest is written; these need the author's word
        _print(list(result.clashes))
        raise typer.Exit(EXIT_AUTHOR_ERROR)
