"""--allow-remote against a real HTTP server on 127.0.0.1, started by the test."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from guide import BuildOptions, GuideError, build
from guide.manifest import MissingImages
from tests.pdf_reader import ReadPdf
from tests.test_hostile import _real_png


class _Handler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - shared log of what the server was asked

    def do_GET(self) -> None:
        _Handler.requests.append(self.path)
        if self.path == "/redirect.png":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
            self.end_headers()
            return
        body = _real_png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.requests.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _project(tmp_path: Path, src: str) -> Path:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "guide.toml").write_text('title = "R"\nauthor = "A"\nchapters = ["a.md"]\n')
    (tmp_path / "p" / "a.md").write_text(f"---\ntitle: Remote\ncredits: [Photo: P]\n---\n![pic]({src})\n")
    return tmp_path / "p"


def test_remote_image_is_fetched_only_when_allowed(tmp_path: Path, server: str) -> None:
    project = _project(tmp_path, f"{server}/pic.png")
    with pytest.raises(GuideError, match="is not fetched during a build"):
        build(project, tmp_path / "no.pdf")
    assert _Handler.requests == []
    options = BuildOptions(allow_remote=True, allow_private_hosts=True, strict=True)
    build(project, tmp_path / "yes.pdf", options)
    assert _Handler.requests == ["/pic.png"]
    assert ReadPdf(tmp_path / "yes.pdf").reader.pages[2].images


def test_loopback_stays_refused_without_the_test_switch(tmp_path: Path, server: str) -> None:
    project = _project(tmp_path, f"{server}/pic.png")
    with pytest.raises(GuideError) as caught:
        build(project, tmp_path / "out.pdf", BuildOptions(allow_remote=True))
    assert [str(d) for d in caught.value.diagnostics] == [
        f"a.md:5: refused to load {server}/pic.png: "
        "host '127.0.0.1' is a local or private address (127.0.0.1)"
    ]
    assert _Handler.requests == []
    assert not (tmp_path / "out.pdf").exists()


def test_redirects_are_not_followed(tmp_path: Path, server: str) -> None:
    project = _project(tmp_path, f"{server}/redirect.png")
    options = BuildOptions(allow_remote=True, allow_private_hosts=True)
    with pytest.raises(GuideError) as caught:
        build(project, tmp_path / "out.pdf", options)
    assert _Handler.requests == ["/redirect.png"]
    assert any("Failed to load image" in str(d) for d in caught.value.diagnostics)


@pytest.mark.parametrize(
    ("name", "options", "reason"),
    [
        ("pic.png", BuildOptions(allow_remote=True), "refused: host '127.0.0.1' is a local or private"),
        ("redirect.png", BuildOptions(allow_remote=True, allow_private_hosts=True), "failed to load"),
    ],
)
def test_refused_or_failed_remote_image_becomes_a_placeholder(
    tmp_path: Path, server: str, name: str, options: BuildOptions, reason: str
) -> None:
    project = _project(tmp_path, f"{server}/{name}")
    options = replace(options, missing_images=MissingImages.PLACEHOLDER)
    result = build(project, tmp_path / "out.pdf", options)
    assert len(result.warnings) == 1
    assert str(result.warnings[0]).startswith(
        f"a.md:5: warning: image '{server}/{name}' could not be loaded ({reason}"
    )
    assert str(result.warnings[0]).endswith("; printed as a placeholder")
    text = " ".join(ReadPdf(tmp_path / "out.pdf").text.split())
    assert f"IMAGE NOT AVAILABLE pic {server}/{name}" in text
