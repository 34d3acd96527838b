"""A live preview on 127.0.0.1: the last good build's HTML, with its fonts and images, reloading itself."""

from __future__ import annotations

import contextlib
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from guide.site import Site, media_type

EVENTS = "/_guide/events"
KEEPALIVE_SECONDS = 10
RELOAD_SCRIPT = (
    "<script>(function () {{ var shown = {version};"
    ' var events = new EventSource("' + EVENTS + '");'
    " events.onmessage = function (e) {{ if (Number(e.data) !== shown) location.reload(); }}; }})();</script>"
)


WAITING = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>guide preview</title></head>"
    "<body><p>No good build yet: fix what the terminal shows and save.</p></body></html>"
)


class Preview:
    """Serve the latest site; each `publish` makes open pages reload (server-sent events)."""

    def __init__(self, port: int = 0) -> None:
        self.site: Site | None = None
        self.version = 0
        self.changed = threading.Condition()
        self.closing = False
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="guide-preview", daemon=True)

    @property
    def url(self) -> str:
        """Where the preview is served."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        """Serve in a background thread."""
        self.thread.start()

    def publish(self, site: Site) -> None:
        """Show `site` from now on; tell every open page to reload."""
        with self.changed:
            self.site = site
            self.version += 1
            self.changed.notify_all()

    def close(self) -> None:
        """Stop serving; end the open event streams."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def page(self) -> bytes:
        """The current page with the reload script (a waiting page before the first good build)."""
        with self.changed:
            site, version = self.site, self.version
        script = RELOAD_SCRIPT.format(version=version)
        html = site.html if site else WAITING
        html = html.replace("</body>", script + "</body>", 1)
        return html.encode("utf-8")

    def wait_for_change(self, seen: int) -> int:
        """Block until the version differs from `seen` (or a keep-alive timeout); return the version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.closing, timeout=KEEPALIVE_SECONDS)
            return self.version


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path == EVENTS:
                self._events()
            elif path in ("/", "/index.html"):
                self._send(preview.page(), "text/html; charset=utf-8")
            else:
                self._file(path.lstrip("/"))

        def _file(self, relative: str) -> None:
            site = preview.site
            source = site.files.get(relative) if site else None
            # Only the files the page refers to: the project's other files are not served.
            self._send(source.read_bytes() if source and source.is_file() else None, media_type(relative))

        def _send(self, body: bytes | None, kind: str) -> None:
            if body is None:
                self.send_error(HTTPStatus.NOT_FOUND, "no such file in the preview (yet)")
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                while not preview.closing:
                    version = preview.wait_for_change(seen)
                    message = f"data: {version}\n\n" if version != seen else ": keep-alive\n\n"
                    self.wfile.write(message.encode("ascii"))
                    self.wfile.flush()
                    seen = version

        def log_message(self, format: str, *args: object) -> None:
            """Keep the terminal for the rebuilds' own lines."""

    return Handler
