"""`guide watch`: rebuilds on a save, keeps the last good PDF after a mistake, serves a live preview."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from guide.errors import Report
from guide.sources import read_post
from tests.conftest import ROOT
from tests.pdf_reader import ReadPdf

STARTER = "chapters/01-welcome.md"


class Watcher:
    """A `guide watch --serve` process and the lines it prints."""

    def __init__(self, project: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "true"}
        command = [
            sys.executable,
            "-m",
            "guide",
            "watch",
            str(project),
            "--serve",
            "--port",
            "0",
        ]
        self.process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self.seen:
                self.lines.append(line.rstrip("\n"))
                self.seen.notify_all()

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 180) -> str:
        """Return the first line from index `after` on that matches `pattern`."""
        deadline = time.monotonic() + timeout
        with self.seen:
            while True:
                for line in self.lines[after:]:
                    if re.search(pattern, line):
                        return line
                left = deadline - time.monotonic()
                assert left > 0 and self.process.poll() is None, "\n".join(self.lines)
                self.seen.wait(left)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    from typer.testing import CliRunner  # noqa: PLC0415

    from guide.cli import app  # noqa: PLC0415

    folder = tmp_path / "demo"
    assert CliRunner().invoke(app, ["new", str(folder), "--author", "Ann Lee"]).exit_code == 0
    yield folder


@pytest.mark.e2e
def test_watch_rebuilds_on_a_save_serves_the_edit_and_keeps_the_good_pdf_after_a_mistake(
    project: Path,
) -> None:
    watcher = Watcher(project)
    try:
        address = watcher.wait_for(r"^preview at http://127\.0\.0\.1:\d+/$").removeprefix("preview at ")
        watcher.wait_for(r"^rebuilt .* in \d+\.\d s \(\d+ pages\)$")
        pdf = project / "build" / "guide.pdf"
        assert "Welcome to your guide" in ReadPdf(pdf).text
        page = urllib.request.urlopen(address, timeout=30).read().decode()
        assert "Welcome to <span" in page  # the title's last words are kept together in a span
        assert "EventSource" in page

        # A file that is not an input changes: no rebuild.
        count = len(watcher.lines)
        (project / "notes.txt").write_text("not a chapter\n")
        chapter = project / STARTER
        chapter.write_text(chapter.read_text().replace("Welcome to your guide", "Hello from the watcher"))
        line = watcher.wait_for(r"^rebuilt ", after=count)
        assert (
            sum(1 for seen in watcher.lines[count:] if seen.startswith(("rebuilt", "build failed"))) == 1
        ), line
        assert "Hello from the watcher" in ReadPdf(pdf).text
        served = urllib.request.urlopen(address, timeout=30).read().decode()
        assert "Hello from <span" in served
        fonts = re.findall(r'url\("(fonts/[^"]+)"\)', served)
        assert fonts
        assert urllib.request.urlopen(address + fonts[0], timeout=30).read()[:4] == b"OTTO"

        # A mistake: the error is shown, the good PDF stays, the watch goes on.
        good = pdf.read_bytes()
        count = len(watcher.lines)
        chapter.write_text("---\ntitle: [unclosed\n---\nText.\n")
        watcher.wait_for(rf"^{re.escape(STARTER)}:\d+: ", after=count)
        watcher.wait_for(r"^build failed in \d+\.\d s; .* keeps the last good build$", after=count)
        assert pdf.read_bytes() == good
        count = len(watcher.lines)
        chapter.write_text("---\ntitle: Fixed again\n---\nBack in business.\n")
        watcher.wait_for(r"^rebuilt ", after=count)
        assert "Back in business" in ReadPdf(pdf).text
    finally:
        code = watcher.stop()
    assert code == 130, "\n".join(watcher.lines)


@pytest.mark.e2e
def test_a_save_during_the_first_build_is_built_at_once(project: Path) -> None:
    chapter = project / STARTER
    watcher = Watcher(project)
    try:
        watcher.wait_for(r"^watching ")
        # The first build has only begun (it takes seconds: imports, fonts, layout) when this lands.
        chapter.write_text(chapter.read_text().replace("Welcome to your guide", "Saved while building"))
        saved = len(watcher.lines)
        assert not any(line.startswith("rebuilt") for line in watcher.lines[:saved]), watcher.lines
        # The first build may have read the chapter half-written (an editor's save is not one step),
        # and failed: either way the save builds again once it ends.
        first = watcher.wait_for(r"^(rebuilt|build failed) ")
        watcher.wait_for(r"^rebuilt ", after=watcher.lines.index(first) + 1)
        assert "Saved while building" in ReadPdf(project / "build" / "guide.pdf").text
    finally:
        code = watcher.stop()
    assert code == 130, "\n".join(watcher.lines)


def test_an_unchanged_post_is_read_from_the_cache_and_a_changed_one_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from guide import sources  # noqa: PLC0415

    calls: list[str] = []
    real = sources.READERS[".md"]

    def counting(text: str, source_path: str, report: Report) -> object:
        calls.append(source_path)
        return real(text, source_path, report)

    monkeypatch.setitem(sources.READERS, ".md", counting)
    post = tmp_path / "p.md"
    post.write_text("---\ntitle: One\ncolour: red\n---\nText.\n")
    first, second = Report(), Report()
    assert read_post(post, "p.md", first).title == "One"
    assert read_post(post, "p.md", second).title == "One"
    assert calls == ["p.md"]
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics] != []
    post.write_text("---\ntitle: Two, longer\n---\nText.\n")
    assert read_post(post, "p.md", Report()).title == "Two, longer"
    assert calls == ["p.md", "p.md"]
