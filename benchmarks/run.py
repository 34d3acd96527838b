"""Benchmark `guide build` against bare WeasyPrint on the same HTML.

What is measured, and why: almost all of a build's time and memory goes into WeasyPrint laying out the
pages and writing the PDF. Everything guide adds around it (reading the manifest and posts, Markdown,
linking chapters, rendering the HTML, the sandboxed URL fetcher, the isolated font configuration and
the atomic write) should cost close to nothing. So for synthetic projects of several sizes (see
`synthetic.py`) this script times two pipelines, each as a child process, exactly as a user runs them:

* guide:  `guide build PROJECT -o guide.pdf --jobs 1`: the book as one WeasyPrint document (the
  parallel typesetter, guide build's default, has its own table: see parallel.py)
* bare:   `weasyprint --pdf-variant pdf/ua-1 --base-url HTML/ HTML/index.html bare.pdf`, where the
  folder HTML comes from `guide html PROJECT -o HTML` (made beforehand and not timed: the bare figure
  is WeasyPrint alone; the folder holds the fonts and images the page loads).

The bare command is the one the README gives: it asks WeasyPrint for the same PDF guide writes (PDF/UA-1,
so tagged, with XMP metadata), because tagging alone costs WeasyPrint about 10% more time and memory
and is a choice of output, not overhead. `--bare-args=""` times the untagged default instead.

Wall time is the best of N runs, the two pipelines run in turn; peak memory is the maximum resident
set size of the command's largest process (the largest over the runs), measured by `launch.py`, a
small launcher, so that this benchmark's own size is not counted in it. Pages are counted in each
PDF with pypdf.
Expect noise: on a shared machine wall time varies by 10% or more between runs (the CPU-time ratio
printed with the verdict is steadier), and WeasyPrint's peak memory depends on when Python's cyclic
garbage collector happens to run, so a different allocation history before typesetting can move it by
tens of MiB on large guides.

The targets, checked on the 50-post row: guide's time at most 1.10 x bare WeasyPrint's and its peak
memory at most 1.1 x. It is a report, not a test: it exits 0 whether or not the targets are met.

Usage: `make bench`, or `.venv/bin/python benchmarks/run.py [--sizes 13,50,200] [--repeat N] [--keep]
[--bare-args=OPTIONS] [--quick]`.

`--quick` measures the parallel table only, once per size, without the untimed warm-up and without
the `--jobs 1` column: how the builds scale to large series (`make bench-scale`: 500 posts, about
4 bare WeasyPrint runs' time in all) rather than steady ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from parallel import measure_parallel, print_parallel_table
from pypdf import PdfReader
from synthetic import DEFAULT_SEED, write_project

BENCH_DIR = Path(__file__).resolve().parent
KEEP_DIR = BENCH_DIR / "out"
LAUNCHER = BENCH_DIR / "launch.py"
DEFAULT_SIZES = (13, 50, 200)
DEFAULT_BARE_ARGS = "--pdf-variant pdf/ua-1"
"""What `guide build` asks of WeasyPrint (guide/typeset.py), as the README's bare command spells it."""
LARGE_SIZE = 200
"""Projects this big or bigger run once by default: one run already takes a while."""
DEFAULT_RUNS = 3
VERDICT_SIZE = 50
TIME_TARGET = 1.10
MEMORY_TARGET = 1.10
BIN_DIR = Path(sys.executable).parent


@dataclass(frozen=True)
class Measurement:
    """One pipeline on one project: best wall time over the runs and the largest peak memory."""

    seconds: float
    peak_kib: int
    cpu_seconds: float
    """User plus system CPU time of the fastest run: less swayed than wall time by other load."""
    warnings: tuple[str, ...] = ()
    """The warning lines the command printed (on its last run)."""

    @property
    def peak_mib(self) -> float:
        """Peak resident memory in MiB."""
        return self.peak_kib / 1024


@dataclass(frozen=True)
class Row:
    """The figures for one project size."""

    posts: int
    runs: int
    guide: Measurement
    bare: Measurement
    guide_pages: int
    bare_pages: int

    @property
    def time_ratio(self) -> float:
        """guide's time over bare WeasyPrint's."""
        return self.guide.seconds / self.bare.seconds

    @property
    def cpu_ratio(self) -> float:
        """guide's CPU time over bare WeasyPrint's."""
        return self.guide.cpu_seconds / self.bare.cpu_seconds

    @property
    def memory_ratio(self) -> float:
        """guide's peak memory over bare WeasyPrint's."""
        return self.guide.peak_kib / self.bare.peak_kib


@dataclass(frozen=True)
class Settings:
    """The command-line options, checked."""

    sizes: tuple[int, ...]
    repeat: int | None
    keep: bool
    seed: int
    bare_args: tuple[str, ...]
    jobs: int = os.cpu_count() or 1
    only_parallel: bool = False
    quick: bool = False
    """One round per size, no warm-up, no one-document runs."""

    def runs_for(self, posts: int) -> int:
        """How many timed runs a project of `posts` posts gets."""
        if self.repeat is not None:
            return self.repeat
        return 1 if posts >= LARGE_SIZE else DEFAULT_RUNS


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    """Read the command line into Settings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated post counts (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help=f"timed runs per size (default: {DEFAULT_RUNS}, or 1 from {LARGE_SIZE} posts)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help=f"generate into {KEEP_DIR.relative_to(BENCH_DIR.parent)}/ and keep it",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the synthetic prose")
    parser.add_argument(
        "--bare-args",
        default=DEFAULT_BARE_ARGS,
        help='WeasyPrint options for the bare run, written --bare-args="..." (default: %(default)s)',
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers (default: cores)")
    parser.add_argument(
        "--only-parallel", action="store_true", help="skip the one-document table (guide build --jobs 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="for large sizes: the parallel table only, one round, no warm-up, no --jobs 1 runs",
    )
    args = parser.parse_args(argv)
    try:
        sizes = tuple(int(size) for size in args.sizes.split(",") if size.strip())
    except ValueError:
        parser.error(f"--sizes must be comma-separated whole numbers (got {args.sizes!r})")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one post count, each 1 or more")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    return Settings(
        sizes,
        1 if args.quick and args.repeat is None else args.repeat,
        args.keep,
        args.seed,
        tuple(shlex.split(args.bare_args)),
        max(1, args.jobs),
        args.only_parallel or args.quick,
        args.quick,
    )


def tool(name: str) -> str:
    """Return the path of a console script installed beside this Python, or on PATH."""
    beside = BIN_DIR / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        sys.exit(f"bench: cannot find '{name}'; run `make bench` so the virtualenv is set up")
    return found


def run_child(command: Sequence[str]) -> Measurement:
    """Run `command` to the end; return its wall time and the peak memory of its largest process.

    The command runs under `launch.py`, a small process of its own, so that the peak is the
    command's and not this benchmark's size at the fork (see launch.py).
    """
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "result"
        launcher = [sys.executable, "-S", str(LAUNCHER), str(result)]
        subprocess.run([*launcher, *command], stdout=subprocess.DEVNULL, stderr=errors, check=True)
        seconds_text, peak_text, cpu_text, status_text = result.read_text(encoding="ascii").split()
        errors.seek(0)
        printed = errors.read().decode("utf-8", "replace")
    if int(status_text) != 0:
        raise RuntimeError(f"{' '.join(command)} exited {status_text}:\n{printed.strip()}")
    warnings = tuple(line for line in printed.splitlines() if "warning" in line.lower())
    return Measurement(float(seconds_text), _max_rss_kib(int(peak_text)), float(cpu_text), warnings)


def _max_rss_kib(max_rss: int) -> int:
    """ru_maxrss is in KiB on Linux but in bytes on macOS."""
    return max_rss // 1024 if sys.platform == "darwin" else max_rss


def best_of_pair(
    first: Sequence[str], second: Sequence[str], runs: int, before_first: Callable[[], None] = lambda: None
) -> tuple[Measurement, Measurement]:
    """Run the two commands in turn, `runs` times each, so a slow spell of the machine hits both alike.

    `before_first` runs (untimed) before each run of `first`: guide's build is skipped when its
    output is up to date, so the one-document row removes the PDF to time a whole build each time.
    """
    pairs = []
    for _ in range(runs):
        before_first()
        pairs.append((run_child(first), run_child(second)))
    return _best([a for a, _ in pairs]), _best([b for _, b in pairs])


def _best(results: Sequence[Measurement]) -> Measurement:
    """The fastest time, and the highest peak memory seen."""
    fastest = min(results, key=lambda r: r.seconds)
    peak = max(r.peak_kib for r in results)
    return Measurement(fastest.seconds, peak, fastest.cpu_seconds, results[-1].warnings)


def page_count(pdf: Path) -> int:
    """Count the pages of a PDF."""
    return len(PdfReader(pdf).pages)


def guide_command(project: Path, pdf: Path) -> list[str]:
    """The build a user runs, as the one-document path (the table compares it with bare WeasyPrint)."""
    return [tool("guide"), "build", str(project), "-o", str(pdf), "--jobs", "1"]


def bare_command(project: Path, html: Path, pdf: Path, extra: Sequence[str]) -> list[str]:
    """WeasyPrint's own command line on guide's HTML folder (`html`), as the README gives it."""
    return [tool("weasyprint"), *extra, "--base-url", f"{html}/", str(html / "index.html"), str(pdf)]


def write_html(project: Path, html: Path) -> None:
    """Write the folder of the HTML guide typesets from, with its fonts and images (not timed)."""
    html.mkdir(parents=True, exist_ok=True)
    run_child([tool("guide"), "html", str(project), "-o", str(html), "--force"])


def measure(posts: int, work: Path, settings: Settings) -> Row:
    """Generate a project of `posts` posts and measure both pipelines on it."""
    project = write_project(work / f"synthetic-{posts:03d}", posts, settings.seed)
    stem = f"synthetic-{posts:03d}"
    guide_pdf, html, bare_pdf = work / f"{stem}.pdf", work / f"{stem}-html", work / f"{stem}-bare.pdf"
    runs = settings.runs_for(posts)
    write_html(project, html)
    _progress(f"{posts} posts: guide build and bare weasyprint in turn, x{runs} each")
    guide, bare = best_of_pair(
        guide_command(project, guide_pdf),
        bare_command(project, html, bare_pdf, settings.bare_args),
        runs,
        before_first=lambda: guide_pdf.unlink(missing_ok=True),  # else the build is up to date
    )
    return Row(posts, runs, guide, bare, page_count(guide_pdf), page_count(bare_pdf))


def warm_up(work: Path, settings: Settings) -> None:
    """Run each pipeline once, untimed, so the first timed run does not pay for cold caches."""
    _progress("warming up (untimed)")
    project = write_project(work / "warm-up", min(settings.sizes), settings.seed)
    run_child(guide_command(project, work / "warm-up.pdf"))
    write_html(project, work / "warm-up-html")
    run_child(bare_command(project, work / "warm-up-html", work / "warm-up-bare.pdf", settings.bare_args))


@contextlib.contextmanager
def work_folder(keep: bool) -> Iterator[Path]:
    """A folder for the projects and PDFs: benchmarks/out/ (emptied first) with --keep, else a temp one."""
    if not keep:
        with tempfile.TemporaryDirectory(prefix="guide-bench-") as temp:
            yield Path(temp)
        return
    shutil.rmtree(KEEP_DIR, ignore_errors=True)
    KEEP_DIR.mkdir(parents=True)
    yield KEEP_DIR


def _progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def print_header(settings: Settings) -> None:
    """Say what was run where, so figures from different machines can be told apart."""
    bare = " ".join(["weasyprint", *settings.bare_args, "--base-url", "HTML/", "HTML/index.html", "bare.pdf"])
    versions = (
        f"guide {version('guide')}, WeasyPrint {version('weasyprint')}, Python {platform.python_version()}"
    )
    print(f"{versions}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '(unset)')}, seed {settings.seed}")
    print("guide: guide build PROJECT -o guide.pdf --jobs 1  (one document; the parallel table follows)")
    print(f"bare:  {bare}  (HTML from `guide html PROJECT -o HTML`, untimed)")
    print("time: best of the runs; peak: max RSS of the command's largest process\n")


def print_table(rows: Sequence[Row]) -> None:
    """Print one line per project size."""
    header = (
        f"{'posts':>5} {'pages':>5} {'runs':>4} {'guide s':>8} {'bare s':>8} {'ratio':>6} "
        f"{'guide MiB':>9} {'bare MiB':>9} {'mem ratio':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        pages = f"{row.guide_pages}" if row.guide_pages == row.bare_pages else f"{row.guide_pages}*"
        print(
            f"{row.posts:>5} {pages:>5} {row.runs:>4} {row.guide.seconds:>8.2f} {row.bare.seconds:>8.2f} "
            f"{row.time_ratio:>6.3f} {row.guide.peak_mib:>9.1f} {row.bare.peak_mib:>9.1f} "
            f"{row.memory_ratio:>9.3f}"
        )
    for row in rows:
        if row.guide.warnings:
            print(
                f"! {row.posts} posts: guide build printed {len(row.guide.warnings)} warning(s), the first:"
            )
            print(f"    {row.guide.warnings[0]}")
        if row.guide_pages != row.bare_pages:
            print(f"* {row.posts} posts: guide's PDF has {row.guide_pages} pages, bare {row.bare_pages}")


def print_verdict(rows: Sequence[Row]) -> None:
    """Say whether the 50-post row meets the time and memory targets."""
    row = next((r for r in rows if r.posts == VERDICT_SIZE), None)
    print()
    if row is None:
        print(f"VERDICT: no {VERDICT_SIZE}-post row measured (add {VERDICT_SIZE} to --sizes)")
        return
    time_ok = row.time_ratio <= TIME_TARGET
    memory_ok = row.memory_ratio <= MEMORY_TARGET
    print(f"{VERDICT_SIZE}-post targets of the one-document build (--jobs 1):")
    print(f"  time   {row.time_ratio:.3f} x bare (target <= {TIME_TARGET:.2f}): {_met(time_ok)}")
    print(f"  memory {row.memory_ratio:.3f} x bare (target <= {MEMORY_TARGET:.2f}): {_met(memory_ok)}")
    print(f"  (CPU time, user+sys, for reference: {row.cpu_ratio:.3f} x bare)")
    verdict = "PASS" if time_ok and memory_ok else "FAIL"
    print(f"VERDICT: {verdict} (a report: the exit status is 0 either way)")


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, measure, report."""
    settings = parse_args(argv)
    with work_folder(settings.keep) as work:
        if not settings.quick:
            warm_up(work, settings)
        rows = [] if settings.only_parallel else [measure(posts, work, settings) for posts in settings.sizes]
        parallel_rows = [measure_in_parts(posts, work, settings) for posts in settings.sizes]
        if settings.keep:
            _progress(f"projects and PDFs kept in {work}")
    print_header(settings)
    if rows:
        print_table(rows)
        print_verdict(rows)
    print_parallel_table(parallel_rows, settings.jobs)
    return 0


def measure_in_parts(posts: int, work: Path, settings: Settings) -> object:
    """The parallel typesetter's ratios on the project of `posts` posts."""
    project = write_project(work / f"synthetic-{posts:03d}", posts, settings.seed)
    html = work / f"synthetic-{posts:03d}-html"
    if not html.exists():
        write_html(project, html)
    rounds = settings.runs_for(posts)
    one = "" if settings.quick else " and --jobs 1"
    _progress(f"{posts} posts: bare, cold, one-chapter edit, no-op, warm{one} builds in turn, x{rounds}")
    commands = {
        "guide": guide_command,
        "bare": lambda p, h, o: bare_command(p, h, o, settings.bare_args),
    }
    return measure_parallel(
        posts, project, html, work, rounds, settings.jobs, run_child, commands, page_count, not settings.quick
    )


if __name__ == "__main__":
    sys.exit(main())
