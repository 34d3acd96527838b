"""The commands end to end: check, html, --style, and an interrupted build."""

from __future__ import annotations

import errno
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint
from typer.testing import CliRunner

from guide.cli import app
from guide.errors import GuideError
from guide.output import write_atomically
from tests.conftest import FIXTURES, ROOT
from tests.pdf_reader import ReadPdf

BASIC = FIXTURES / "projects" / "basic"
runner = CliRunner()


def test_check_passes_the_sample_strictly() -> None:
    result = runner.invoke(app, ["check", str(ROOT), "--strict"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"ok: {ROOT} (0 warnings)"


def test_check_reports_warnings_and_fails_on_them_when_strict(tmp_path: Path) -> None:
    (tmp_path / "guide.toml").write_text('title = "T"\nauthor = "A"\nchapters = ["a.md"]\n')
    (tmp_path / "a.md").write_text("---\ntitle: T\ntags: x\n---\nBody <script>x</script>\n")
    relaxed = runner.invoke(app, ["check", str(tmp_path)])
    strict = runner.invoke(app, ["check", str(tmp_path), "--strict"])
    expected = [
        "a.md:3: warning: unknown front matter key 'tags' "
        "(known keys: title, subtitle, date, url, author, credits)",
        "a.md:5: warning: removed <script> element",
    ]
    assert relaxed.exit_code == 0
    assert relaxed.stderr.splitlines()[:2] == expected
    assert strict.exit_code == 1
    assert strict.stderr.splitlines() == expected
    assert not list(tmp_path.glob("*.pdf"))


def test_html_is_what_weasyprint_alone_typesets(tmp_path: Path) -> None:
    html_path = tmp_path / "guide.html"
    result = runner.invoke(app, ["html", "--self-contained", str(BASIC), "-o", str(html_path)])
    assert result.exit_code == 0, result.output
    html = html_path.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "@font-face" in html and "<link" not in html
    weasyprint.HTML(string=html, base_url=BASIC.as_uri() + "/").write_pdf(tmp_path / "bare.pdf")
    assert "Starting With Listening" in ReadPdf(tmp_path / "bare.pdf").text


def test_author_stylesheet_applies_on_top(tmp_path: Path) -> None:
    style = tmp_path / "extra.css"
    style.write_text('.chapter-number::after { content: " / EXTRA-STYLE-APPLIED"; }\n')
    output = tmp_path / "styled.pdf"
    result = runner.invoke(app, ["build", str(BASIC), "-o", str(output), "--style", str(style), "--strict"])
    assert result.exit_code == 0, result.output
    assert "EXTRA-STYLE-APPLIED" in ReadPdf(output).text


def test_output_is_silent_apart_from_the_summary_when_not_a_terminal(tmp_path: Path) -> None:
    output = tmp_path / "quiet.pdf"
    result = runner.invoke(app, ["build", str(BASIC), "-o", str(output)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"wrote {output} (7 pages)"]


def test_interrupt_keeps_the_previous_pdf_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    project = tmp_path / "big"
    shutil.copytree(BASIC, project)
    chapters = []
    for number in range(110):  # just inside the 512 KB of chapters a guide may have
        name = f"posts/extra-{number:03}.md"
        (project / name).write_text(f"---\ntitle: Extra {number}\n---\n" + "Long text. " * 400 + "\n")
        chapters.append(name)
    (project / "guide.toml").write_text(
        'title = "Big"\nauthor = "A"\nchapters = [' + ", ".join(f'"{c}"' for c in chapters) + "]\n"
    )
    output = tmp_path / "out" / "guide.pdf"
    output.parent.mkdir()
    output.write_bytes(b"%PDF-1.7\n% previous\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # One process, so its own CPU time tells how far it is: SIGINT goes once it has used 3 s, past the
    # imports and reading (about 1 s) and well inside layout (over 20 s), however busy the machine.
    command = [sys.executable, "-m", "guide", "build", str(project), "-o", str(output), "--jobs", "1"]
    terminal, terminal_end = pty.openpty()  # on a terminal, as an author presses Ctrl-C
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stderr=terminal_end)
    os.close(terminal_end)
    shown = b""
    while _cpu_seconds(process.pid) < 3.0:
        assert process.poll() is None, shown.decode(errors="replace")
        shown += _read_terminal_until(terminal, process, None, wait=0.05)
    process.send_signal(signal.SIGINT)
    shown += _read_terminal_until(terminal, process, None)
    os.close(terminal)
    assert process.wait(timeout=60) == 130, shown.decode(errors="replace")
    assert b"interrupted" in shown
    assert b"Traceback" not in shown, shown.decode(errors="replace")
    assert output.read_bytes() == b"%PDF-1.7\n% previous\n"
    assert sorted(p.name for p in output.parent.iterdir()) == ["guide.pdf"]


def _cpu_seconds(pid: int) -> float:
    """Return the CPU time process `pid` has used (Linux /proc/PID/stat: utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_terminal_until(
    terminal: int, process: subprocess.Popen[bytes], wanted: bytes | None, wait: float | None = None
) -> bytes:
    """Read what the process shows on its terminal until `wanted` appears (or, if None, until it exits).

    With `wait`, return after at most that many seconds without output.
    """
    shown = b""
    while wanted is None or wanted not in shown:
        ready, _, _ = select.select([terminal], [], [], wait or 1.0)
        if wait is not None and not ready:
            return shown
        if ready:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:  # the process closed its end: it has exited
                chunk = b""
            shown += chunk
            if not chunk and wanted is None:
                break
        if wanted is not None and process.poll() is not None:
            raise AssertionError(f"exited before {wanted!r}: {shown.decode(errors='replace')}")
        if wanted is None and process.poll() is not None and not ready:
            break
    return shown


def test_an_interrupt_swallowed_by_a_finalizer_still_stops_the_build(tmp_path: Path) -> None:
    """A KeyboardInterrupt raised inside `__del__` is printed and lost; the handler's flag is not."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from guide import interrupt\n"
        "from guide.cli import app\n"
        "class Finalized:\n"
        "    def __del__(self):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        for _ in range(10_000): pass\n"  # the handler runs here, inside __del__
        "interrupt.install_handlers()\n"
        "Finalized()\n"
        "app(['build', sys.argv[1], '-o', sys.argv[2]])\n"
    )
    output = tmp_path / "guide.pdf"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(BASIC), str(output)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert "Exception ignored" in done.stderr  # the first KeyboardInterrupt was indeed lost
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "interrupted"
    assert not output.exists()


def test_a_forked_worker_stopped_before_its_own_setup_ends_quietly() -> None:
    """A typesetting worker inherits the command's handlers; SIGTERM must not make it print a traceback."""
    script = (
        "import os, signal, time\n"
        "from guide import interrupt\n"
        "interrupt.install_handlers()\n"
        "ready, started = os.pipe()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.write(started, b'x')\n"  # past the fork's own set-up, which drops pending signals
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "os.read(ready, 1)\n"
        "os.kill(pid, signal.SIGTERM)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "True", done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "guide.pdf"
    target.write_bytes(b"old")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(GuideError) as caught:
        write_atomically(b"%PDF-new", target)
    assert str(caught.value) == f"{target}: cannot write: No space left on device"
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["guide.pdf"]


def test_a_full_disk_is_an_error_that_keeps_the_old_pdf(tmp_path: Path) -> None:
    output = tmp_path / "guide.pdf"
    output.write_bytes(b"%PDF-1.7\n% previous\n")

    def small_files() -> None:
        import resource  # noqa: PLC0415 - only in the child

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    # One document: WeasyPrint's own temporary font files are what hits the limit.
    command = [sys.executable, "-m", "guide", "build", str(BASIC), "-o", str(output), "--jobs", "1"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, preexec_fn=small_files, check=False
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        "<typesetting>: cannot write a temporary file: File too large"
    ]
    assert output.read_bytes() == b"%PDF-1.7\n% previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.pdf"]


def test_nested_list_bullets_come_from_the_guide_fonts(tmp_path: Path) -> None:
    (tmp_path / "guide.toml").write_text('title = "N"\nauthor = "A"\nchapters = ["a.md"]\n')
    (tmp_path / "a.md").write_text("---\ntitle: Nested\n---\n- one\n    - two\n        - three\n")
    result = runner.invoke(app, ["build", str(tmp_path), "-o", str(tmp_path / "n.pdf"), "--strict"])
    assert result.exit_code == 0, result.output  # a missing glyph would be a warning, fatal here
    text = ReadPdf(tmp_path / "n.pdf").page_texts[2]
    assert "– two" in text and "· three" in text


def test_a_glyph_the_fonts_lack_is_named_in_every_post_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "guide.toml").write_text('title = "N"\nauthor = "A"\nchapters = ["a.md", "b.txt"]\n')
    (tmp_path / "a.md").write_text("---\ntitle: Stars\n---\nOne ★ and another ★.\n\nAnd ♞ here.\n")
    (tmp_path / "b.txt").write_text("More Stars\n\nPlain text.\n\nA ★ again.\n")
    result = runner.invoke(app, ["build", str(tmp_path), "-o", str(tmp_path / "s.pdf")])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "a.md:4: warning: the guide's fonts have no glyph for '★' (U+2605); it would print as a blank box",
        "a.md:6: warning: the guide's fonts have no glyph for '♞' (U+265E); it would print as a blank box",
        "b.txt:5: warning: the guide's fonts have no glyph for '★' (U+2605); it would print as a blank box",
        f"wrote {tmp_path / 's.pdf'} (5 pages)",
    ]


def test_html_replaces_its_own_output_but_never_a_source_or_a_foreign_file(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(BASIC, project)
    own = project / "build" / "guide.html"
    own.parent.mkdir()
    first = runner.invoke(app, ["html", "--self-contained", str(project), "-o", str(own)])
    again = runner.invoke(app, ["html", "--self-contained", str(project), "-o", str(own)])
    assert (first.exit_code, again.exit_code) == (0, 0)
    post = project / "posts" / "recap_linking_every_post.md"
    before = post.read_bytes()
    onto_source = runner.invoke(app, ["html", "--self-contained", str(project), "-o", str(post), "--force"])
    assert onto_source.exit_code == 1
    assert onto_source.stderr.splitlines() == [f"{post}: output path is one of the guide's sources"]
    assert post.read_bytes() == before
    foreign = tmp_path / "notes.html"
    foreign.write_text("<p>my notes</p>")
    refused = runner.invoke(app, ["html", "--self-contained", str(project), "-o", str(foreign)])
    assert refused.stderr.splitlines() == [
        f"{foreign}: output path holds a file guide did not write; use --force to overwrite it"
    ]
    forced = runner.invoke(app, ["html", "--self-contained", str(project), "-o", str(foreign), "--force"])
    assert forced.exit_code == 0
    assert 'id="starting-with-listening"' in foreign.read_text()


def test_first_build_creates_its_output_folder_under_the_project(tmp_path: Path) -> None:
    project = tmp_path / "fresh"
    shutil.copytree(BASIC, project)
    result = runner.invoke(app, ["build", str(project), "-o", str(project / "build" / "guide.pdf")])
    assert result.exit_code == 0, result.output
    assert ReadPdf(project / "build" / "guide.pdf").reader.get_num_pages() == 7


def test_html_creates_its_output_folder_under_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["html", "--self-contained", str(BASIC), "-o", "new/deeper/x.html"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "deeper" / "x.html").read_text().startswith("<!DOCTYPE html>")


def test_an_empty_folder_reports_the_missing_manifest_before_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path}/guide.toml: no guide.toml here: is this a guide project? "
        "(`guide new` or `guide import` creates one)"
    ]
    assert not (tmp_path / "build").exists()


def test_the_pdf_goes_into_the_projects_own_build_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(BASIC, tmp_path / "demo")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", "demo"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "wrote demo/build/guide.pdf (7 pages)"
    assert ReadPdf(tmp_path / "demo" / "build" / "guide.pdf").reader.get_num_pages() == 7
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("guide.toml", "{p}/guide.toml: is a file; name the guide's folder, the one holding guide.toml"),
        ("nowhere", "{p}/nowhere: no such folder (`guide new` creates a guide project)"),
    ],
)
def test_a_project_argument_that_is_no_folder_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argument: str, expected: str
) -> None:
    (tmp_path / "guide.toml").write_text('title = "T"\n')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", argument])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected.format(p=tmp_path)]


def test_bullets_nested_in_a_numbered_list_use_glyphs_the_fonts_have(tmp_path: Path) -> None:
    (tmp_path / "guide.toml").write_text('title = "T"\nauthor = "A"\nchapters = ["a.md"]\n')
    body = "1. Pack\n    - Documents\n        - Passport\n            - Copy\n"
    (tmp_path / "a.md").write_text("---\ntitle: Lists\n---\n" + body)
    output = tmp_path / "out.pdf"
    result = runner.invoke(app, ["build", str(tmp_path), "-o", str(output), "--strict"])
    assert result.exit_code == 0, result.output
    text = ReadPdf(output).text
    assert "\u2013 Documents" in text
    assert "\u00b7 Passport" in text


def test_on_a_terminal_a_failed_check_ends_with_its_tally_and_in_a_log_it_does_not(tmp_path: Path) -> None:
    (tmp_path / "guide.toml").write_text('title = "T"\nauthor = "A"\nchapters = ["a.md"]\n')
    (tmp_path / "a.md").write_text(
        "---\ntitle: T\ntags: x\n---\n![a](gone.png)\n\n"
        "![b](media/2024/05/harbour-at-dawn-seen-from-the-end-of-the-north-pier-in-the-november-fog.png)\n"
    )
    lines = [
        "a.md:3: warning: unknown front matter key 'tags' "
        "(known keys: title, subtitle, date, url, author, credits)",
        "a.md:5: image 'gone.png' not found (or build with --missing-images placeholder)",
        "a.md:7: image 'media/2024/05/harbour-at-dawn-seen-from-the-end-of-the-north-pier-in-the-"
        "november-fog.png' not found "
        "(or build with --missing-images placeholder)",
    ]
    command = [sys.executable, "-m", "guide", "check", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR", "NO_COLOR", "TERM")}
    logged = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert logged.returncode == 1
    assert logged.stderr.splitlines() == lines

    terminal, terminal_end = pty.openpty()
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stderr=terminal_end)
    os.close(terminal_end)
    shown = _read_terminal_until(terminal, process, None)
    os.close(terminal)
    assert process.wait(timeout=60) == 1
    assert shown.decode().splitlines() == [*lines, "stopped: 2 errors, 1 warning"]
