"""The `guide` command's commands (a Typer app): arguments in, API calls, diagnostics out, exit codes.

`guide.cli.main` runs them, once a plain `guide build` has started its workers (see `guide.cli`).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

import guide
from guide.cli import Checked, PlainBuild
from guide.errors import Diagnostic, GuideError, Report, Severity, escape_controls
from guide.importing.options import ImportOptions, Order
from guide.manifest import Edition, MissingImages
from guide.options import BuildOptions, default_output
from guide.paths import path_text_problem
from guide.uptodate import build_started, record_build, unchanged_build

if TYPE_CHECKING:
    from guide.preview import Preview
    from guide.typeset import Progress
    from guide.watch import Rebuild

EXIT_AUTHOR_ERROR = 1
EXIT_INTERRUPTED = 130


def _plain(option: Any) -> Any:
    """Show --help as a flag, without Typer's `<bool>` value placeholder."""
    if option is not None:
        option.metavar = ""
    return option


class _Command(TyperCommand):
    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))

    def invoke(self, ctx: Any) -> Any:
        """Refuse a path given on the command line that no file system takes (a 300-byte name, a
        control character) with one line and exit 1, before the command's code meets an OSError."""
        for name, value in ctx.params.items():
            for path in value if isinstance(value, list) else [value]:
                if isinstance(path, Path) and (problem := path_text_problem(str(path))):
                    label = "output path" if name == "output" else "path"
                    _print([Diagnostic(str(path), None, f"{label} {problem}")])
                    raise typer.Exit(EXIT_AUTHOR_ERROR)
        return super().invoke(ctx)


class _Group(TyperGroup):
    """The top-level command: commands listed in the order an author meets them, plain --help."""

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _say(line: str) -> None:
    """Print one line to stderr as it is: no markup or emoji codes, control characters escaped."""
    stderr.print(escape_controls(line), markup=False)


ProjectArg = Annotated[
    Path,
    typer.Argument(metavar="PROJECT", help="The guide project: a folder with guide.toml.", show_default=True),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", metavar="", help="Treat every warning as an error (for CI).")
]
StyleOpt = Annotated[
    Path | None,
    typer.Option("--style", metavar="FILE", help="An extra stylesheet applied after the built-in ones."),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", metavar="", help="Overwrite an output file guide did not write.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        metavar="N",
        help="Typeset in N worker processes, from the cache in build/.cache (default: the machine's cores,"
        " at least 2; 1: the whole book as one document, no cache).",
    ),
]
RemoteOpt = Annotated[
    bool,
    typer.Option(
        "--allow-remote", metavar="", help="Fetch http(s) images (5 s timeout; local addresses stay refused)."
    ),
]

MissingImagesOpt = Annotated[
    MissingImages | None,
    typer.Option(
        "--missing-images",
        metavar="error|placeholder",
        help="An image that cannot be had (missing, remote, refused) stops the build (error) "
        "or prints as a framed placeholder with its alt text and address (placeholder). "
        "Default: guide.toml's missing_images, else error.",
    ),
]

EditionOpt = Annotated[
    Edition | None,
    typer.Option(
        "--edition",
        metavar="screen|print",
        help="screen: links to click; print: outside addresses as footnotes, cross-references as "
        "page numbers. Default: guide.toml's edition, else screen.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"guide {guide.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, metavar="", help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Compile a blog series into a PDF guide.

    Start with [bold]guide new DIR[/bold] (or [bold]guide import[/bold]), then [bold]guide watch[/bold]
    while you write and [bold]guide build --strict[/bold] in CI.
    """


def _print(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        _say(str(diagnostic))


def _print_tally(diagnostics: list[Diagnostic]) -> None:
    """On a terminal, end a long list of problems with their count ("3 errors, 1 warning"), as compilers do.

    Logs (CI, pipes) keep exactly one line per problem, so scripts can read them.
    """
    if len(diagnostics) < 2 or not stderr.is_terminal:
        return
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    counts = [
        f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((errors, "error"), (warnings, "warning")) if n
    ]
    _say(f"stopped: {', '.join(counts)}")


@contextlib.contextmanager
def _author_errors() -> Iterator[None]:
    """Turn author mistakes into one line each and exit 1; Ctrl-C or SIGTERM into exit 130."""
    try:
        yield
    except GuideError as exc:
        _print(exc.diagnostics)
        _print_tally(exc.diagnostics)
        raise typer.Exit(EXIT_AUTHOR_ERROR) from None
    except KeyboardInterrupt:
        _say("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _shows_progress() -> bool:
    """A progress bar only on a terminal, and never in CI (whose logs keep every redraw)."""
    return stderr.is_terminal and not os.environ.get("CI")


@contextlib.contextmanager
def _progress() -> Iterator[Progress | None]:
    """Show a progress bar with the build's stages and page count on a terminal; stay silent otherwise."""
    if not _shows_progress():
        yield None
        return
    from guide.terminal import BuildProgress  # noqa: PLC0415 - rich.progress only when it is shown

    with BuildProgress(stderr) as bar:
        yield bar.update


@app.command(
    "new",
    cls=_Command,
    epilog="Examples:  guide new my-guide  |  guide new my-guide --from export.xml --author 'Ann Lee'",
)
def new_command(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The project folder to create.")],
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--from", metavar="SOURCE", help="Start from an import instead of a sample (repeat for several)."
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="The guide's title.")] = None,
    author: Annotated[
        str | None, typer.Option("--author", metavar="NAME", help="The guide's author.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Write into a folder that is not empty.")
    ] = False,
) -> None:
    """Start a guide project that builds at once: guide.toml, a sample chapter, .gitignore and CI.

    The author is --author, else (with --from) the one the sources name, else git's user.name;
    with none of them guide.toml says `author = ""` and the cover names no one.
    """
    from guide.starter import (  # noqa: PLC0415
        WORKFLOW_PATH,
        NewProject,
        check_new_folder,
        git_author,
        installed_package_spec,
        write_starter,
    )

    from_git = None if author else git_author(folder)
    options = NewProject(folder=folder, title=title, author=author or from_git or "", force=force)
    with _author_errors():
        check_new_folder(options)
        if sources:
            imported = ImportOptions(
                project=folder, title=title, author=author, force=force, fallback_author=options.author
            )
            _import(sources, imported)
        package, known = installed_package_spec()
        written = write_starter(options, sample=not sources, package=package)
    _say(f"created {folder}: {', '.join(written)}")
    if not author:
        _tell_author(folder, from_git)
    if not known:
        _say(
            f"CI: this guide was installed from a local folder; set GUIDE_PACKAGE in "
            f"{folder / WORKFLOW_PATH} to where pip gets guide (a git URL or a release)"
        )
    _say(f"next: guide watch {folder} --serve   (or: guide build {folder})")


def _tell_author(folder: Path, from_git: str | None) -> None:
    """Say where the new guide's author came from, or that it has none, and where to change it."""
    import tomllib  # noqa: PLC0415

    from guide.manifest import MANIFEST_NAME  # noqa: PLC0415

    written = tomllib.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8")).get("author")
    manifest = folder / MANIFEST_NAME
    if written == "":
        _say(
            f"author: none known (no --author, no git user.name): the cover names no one; "
            f"set 'author' in {manifest}"
        )
    elif written is not None and written == from_git:
        _say(f"author: {written} (git's user.name; change 'author' in {manifest})")


@app.command(
    "import",
    cls=_Command,
    epilog="Example:  guide import wordpress-export.xml --into my-guide --category community",
)
def import_command(  # noqa: PLR0917 - Typer commands take their options as parameters
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SOURCE...",
            help="WordPress exports, RSS/Atom feeds, saved pages, Markdown or text posts.",
        ),
    ],
    into: Annotated[
        Path, typer.Option("--into", metavar="DIR", help="The guide project to create or extend.")
    ],
    category: Annotated[
        str | None, typer.Option("--category", metavar="NAME", help="Only posts in this category.")
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", metavar="NAME", help="Only posts with this tag.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", metavar="TEXT", help="Only posts that mention this.")
    ] = None,
    since: Annotated[
        datetime.datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Only posts published on or after this day.",
        ),
    ] = None,
    until: Annotated[
        datetime.datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Only posts published on or before this day.",
        ),
    ] = None,
    order: Annotated[Order, typer.Option("--order", help="Chapter order.")] = Order.OLDEST,
    media: Annotated[
        Path | None,
        typer.Option(
            "--media", metavar="DIR", help="A copy of the blog's uploads folder, to bring images in."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="Title for a new guide.toml.")
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", metavar="NAME", help="Author for a new guide.toml.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Overwrite chapter files that differ.")
    ] = False,
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
        title=title,
        author=author,
    )
    with _author_errors():
        _import(sources, options)


def _import(sources: list[Path], options: ImportOptions) -> None:
    # Imported here: `guide build` should not pay for the import-only libraries.
    from guide.importing.run import import_sources  # noqa: PLC0415
    from guide.importing.summary import import_summary  # noqa: PLC0415

    result = import_sources(sources, options)
    for line in import_summary(result, options.project):
        _say(line)
    if result.clashes:  # the rest is written; these need the author's word
        _print(list(result.clashes))
        raise typer.Exit(EXIT_AUTHOR_ERROR)


@app.command("check", cls=_Command, epilog="Example:  guide check --strict my-guide")
def check_command(
    project: ProjectArg = Path("."),
    strict: StrictOpt = False,
    style: StyleOpt = None,
    missing_images: MissingImagesOpt = None,
) -> None:
    """Run every check of a build without writing a PDF (the first step of a CI job)."""
    from guide.pipeline import check  # noqa: PLC0415 - the pipeline loads only for commands that use it

    with _author_errors():
        warnings = check(project, BuildOptions(strict=strict, style=style, missing_images=missing_images))
    _print(warnings)
    _say(f"ok: {project} ({len(warnings)} warnings)")


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="Where to write the PDF.",
        show_default="PROJECT/build/guide.pdf",
    ),
]


@app.command(
    "build", cls=_Command, epilog="Example:  guide build my-guide --strict -o my-guide/build/guide.pdf"
)
def build_command(  # noqa: PLR0917 - Typer commands take their options as parameters
    project: ProjectArg = Path("."),
    output: OutputOpt = None,
    strict: StrictOpt = False,
    style: StyleOpt = None,
    force: ForceOpt = False,
    allow_remote: RemoteOpt = False,
    missing_images: MissingImagesOpt = None,
    jobs: JobsOpt = None,
    edition: EditionOpt = None,
) -> None:
    """Build the guide's PDF."""
    options = BuildOptions(
        strict=strict,
        style=style,
        force=force,
        allow_remote=allow_remote,
        missing_images=missing_images,
        edition=edition,
    )
    if jobs is not None:
        options = replace(options, jobs=jobs)
    _build(project, output or default_output(project), options)


def _build(project: Path, output: Path, options: BuildOptions, checked: Checked | None = None) -> None:
    """`guide build`, its arguments read (by Typer, or `plain_build_args`); `checked` by `guide.cli`."""
    with _author_errors():  # the build records' folder may be refused (build/.cache linked out)
        result = checked.unchanged if checked else unchanged_build(project, output, options)
        started = checked.started if checked else build_started(project, output, options)
    if result is not None:
        _print(result.warnings)
        _say(f"{output} is up to date ({result.pages} pages)")
        return
    from guide.typesetting.pool import early_workers  # noqa: PLC0415 - only when there is work

    # The workers start loading WeasyPrint now (if `guide.cli` has not started them yet), while this
    # process loads the pipeline and reads the book.
    with _author_errors(), early_workers(project, options):
        from guide.pipeline import build  # noqa: PLC0415 - the pipeline loads only when there is work

        with _progress() as progress:
            result = build(project, output, options, progress)
    record_build(started, result)
    _print(result.warnings)
    _say(f"wrote {output} ({result.pages} pages)")


@app.command(
    "watch",
    cls=_Command,
    epilog="Example:  guide watch my-guide --serve   (then open the address it prints)",
)
def watch_command(  # noqa: PLR0917 - Typer commands take their options as parameters
    project: ProjectArg = Path("."),
    output: OutputOpt = None,
    style: StyleOpt = None,
    missing_images: MissingImagesOpt = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", metavar="", help="Also serve a live preview of the HTML on 127.0.0.1."),
    ] = False,
    port: Annotated[
        int,
        typer.Option("--port", metavar="N", min=0, max=65535, help="The preview's port (0: any free one)."),
    ] = 8000,
) -> None:
    """Rebuild the PDF on every save until Ctrl-C; a failed build keeps the last good PDF."""
    from guide.typesetting.book import keep_workers  # noqa: PLC0415 - WeasyPrint only to typeset
    from guide.watch import watch_project  # noqa: PLC0415 - watchfiles only for `guide watch`

    output = output or default_output(project)
    options = BuildOptions(style=style, missing_images=missing_images)
    # The typesetting workers are forked before the preview server's and the watcher's threads run.
    with keep_workers(project, options), _author_errors(), _preview(serve, port) as preview:
        watch_project(
            project,
            output,
            options,
            lambda done: _show_rebuild(done, project, output, preview),
            on_watching=lambda: _say(f"watching {project} (Ctrl-C stops)"),
        )


@contextlib.contextmanager
def _preview(serve: bool, port: int) -> Iterator[Preview | None]:
    if not serve:
        yield None
        return
    from guide.preview import Preview  # noqa: PLC0415

    try:
        preview = Preview(port)
    except OSError as exc:
        raise GuideError(
            Diagnostic(f"--port {port}", None, f"cannot serve the preview: {exc.strerror}")
        ) from exc
    preview.start()
    _say(f"preview at {preview.url}")
    try:
        yield preview
    finally:
        preview.close()


def _show_rebuild(done: Rebuild, project: Path, output: Path, preview: Preview | None) -> None:
    """Print one rebuild's warnings (or errors) and time; show a good one in the preview."""
    if done.result is None:
        _print(list(done.errors))
        _say(f"build failed in {done.seconds:.1f} s; {output} keeps the last good build")
        return
    _print(done.result.warnings)
    _say(f"rebuilt {output} in {done.seconds:.1f} s ({done.result.pages} pages)")
    if preview is not None:
        from guide.site import make_site  # noqa: PLC0415

        preview.publish(make_site(done.result.html, project.resolve(), done.result.images))


@app.command(
    "html",
    cls=_Command,
    epilog="Examples:  guide html my-guide  |  guide html my-guide --self-contained -o guide.html",
)
def html_command(  # noqa: PLR0917 - Typer commands take their options as parameters
    project: ProjectArg = Path("."),
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="PATH",
            help="The folder to write (with --self-contained: the .html file).",
            show_default="PROJECT/build/html (PROJECT/build/guide.html)",
        ),
    ] = None,
    self_contained: Annotated[
        bool,
        typer.Option(
            "--self-contained",
            metavar="",
            help="One .html file with its fonts and images inlined (data: URIs).",
        ),
    ] = False,
    strict: StrictOpt = False,
    style: StyleOpt = None,
    force: ForceOpt = False,
    missing_images: MissingImagesOpt = None,
    edition: EditionOpt = None,
) -> None:
    """Write the HTML the PDF is typeset from, with its fonts and images, to open in any browser."""
    output = output or (default_output(project, ".html") if self_contained else project / "build" / "html")
    report = Report()
    options = BuildOptions(
        strict=strict, style=style, force=force, missing_images=missing_images, edition=edition
    )
    from guide.pipeline import write_html  # noqa: PLC0415

    with _author_errors():
        write_html(project, output, options, report, self_contained=self_contained)
    _print(report.warnings)
    shown = output if self_contained else output / "index.html"
    _say(f"wrote {shown}")


def run(plain: PlainBuild | None, checked: Checked | None) -> None:
    """Run a plain `guide build` read by `guide.cli` (with what it `checked`, if it did), else Typer."""
    if plain is None:
        app()
    else:
        sys.exit(_plain_build(*plain, checked))


def _plain_build(project: Path, output: Path | None, options: BuildOptions, checked: Checked | None) -> int:
    """Run `guide build` read by `plain_build_args` as Typer runs `build_command`; return the exit status.

    As `_Command.invoke` does, a path no file system takes is refused first; as Typer does, Ctrl-C
    ends with 130 and a closed pipe with 1.
    """
    try:
        for label, path in (("path", project), ("output path", output), ("path", options.style)):
            if path is not None and (problem := path_text_problem(str(path))):
                _print([Diagnostic(str(path), None, f"{label} {problem}")])
                return EXIT_AUTHOR_ERROR
        _build(project, output or default_output(project), options, checked)
    except typer.Exit as done:
        return int(done.exit_code)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        return 1
    return 0
