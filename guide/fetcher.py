"""The one URL fetcher for everything WeasyPrint loads: project files, our own files, data: URIs.

Everything it loads passes the image gate of guide/images.py, so an image is checked the same
way whether a post, a stylesheet's url() or an SVG's <image> asks for it. Only the guide's own font
files (`GUIDE_FONTS`), which are no images, skip it.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from guide.errors import URL_CHARS, clip
from guide.fonts import FACES
from guide.images import (
    MAX_BOOK_PIXELS,
    MAX_IMAGE_BYTES,
    data_uri_payload,
    image_pixels,
    read_image,
    resource_problem,
)
from guide.interrupt import stop_if_interrupted
from guide.paths import file_within
from guide.sandbox import FetchRefusedError, Refusal, sandbox_roots

__all__ = ["FetchRefusedError", "Refusal", "SandboxedFetcher", "sandbox_roots"]

REMOTE_TIMEOUT = 5
"""Seconds to wait for a remote image when --allow-remote lets it through."""
GUIDE_FONTS = frozenset(face.path.resolve().as_uri() for face in FACES)
"""The file: URLs of the guide's own fonts (`guide.fonts`), served without the image gate: they are
the package's files, not the author's, and no images. Pillow's check of bytes it cannot identify
first imports every format plugin it has (about 75 ms, once in each worker, before its first part)."""


class SandboxedFetcher(URLFetcher):  # type: ignore[misc] # WeasyPrint ships no type hints
    """Load files under the allowed folders and data: URIs; refuse and record everything else."""

    def __init__(
        self, roots: tuple[Path, ...], allow_remote: bool = False, allow_private_hosts: bool = False
    ) -> None:
        super().__init__(timeout=REMOTE_TIMEOUT, allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.allow_remote = allow_remote
        self.allow_private_hosts = allow_private_hosts
        self.refusals: list[Refusal] = []
        self.loaded: list[Path] = []
        """Every local file it served: inputs of the build (`guide watch` rebuilds when one changes)."""
        self.pixels = 0
        """Pixels of the raster images loaded so far: decoding them is what layout pays for."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Fetch `url` if the sandbox allows it, and pass what it loads through the image gate."""
        stop_if_interrupted()
        reason = self._refusal_reason(url)
        if reason is None:
            loaded = self._load(url, headers)
            if isinstance(loaded, str):
                reason = loaded
            else:
                data = loaded.read()
                reason = None if loaded.url in GUIDE_FONTS else self._image_reason(data)
                if reason is None:
                    return URLFetcherResponse(loaded.url, data, loaded.headers, loaded.status)
        self.refusals.append(Refusal(url, reason))
        raise FetchRefusedError(f"refused to load {clip(url, URL_CHARS)}: {reason}")

    def _load(self, url: str, headers: dict[str, str] | None) -> URLFetcherResponse | str:
        """Return the resource as an in-memory response, or why it cannot be read."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            return self._load_file(url)
        if scheme == "data":
            found = data_uri_payload(url)
            if isinstance(found, str):
                return f"it {found}"
            media_type, data = found
            return URLFetcherResponse(url, data, {"Content-Type": media_type})
        response = super().fetch(url, headers)
        try:
            data = response.read(MAX_IMAGE_BYTES + 1)
        finally:
            response.close()
        if len(data) > MAX_IMAGE_BYTES:
            return f"it is over the limit of {MAX_IMAGE_BYTES:,} bytes"
        return URLFetcherResponse(response.url, data, response.headers, response.status)

    def _load_file(self, url: str) -> URLFetcherResponse | str:
        """Read a file under the roots whole, or say why not (outside, a folder, too big, unreadable)."""
        path = self._local_file(url)
        if isinstance(path, str):
            return path
        data = read_image(path)
        if isinstance(data, str):
            return f"it {data}"
        self.loaded.append(path)
        return URLFetcherResponse(path.as_uri(), data)

    def _image_reason(self, data: bytes) -> str | None:
        """Check an image like a file: format, pixels, SVG safety; and the build's total pixels."""
        problem = resource_problem(data)
        if problem is not None:
            return f"it {problem}"
        self.pixels += image_pixels(data)
        if self.pixels > MAX_BOOK_PIXELS:
            return f"the guide's images add up to over {MAX_BOOK_PIXELS // 1_000_000} megapixels"
        return None

    def _refusal_reason(self, url: str) -> str | None:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return None
        if scheme == "file":
            found = self._local_file(url)
            return found if isinstance(found, str) else None
        if scheme in ("http", "https"):
            if not self.allow_remote:
                return "remote resources are not fetched during a build (see --allow-remote)"
            return None if self.allow_private_hosts else _private_host_reason(url)
        return f"'{scheme}:' resources are never fetched during a build"

    def _local_file(self, url: str) -> Path | str:
        """The regular file a file: URL names under the sandbox's roots, or why it may not be loaded."""
        return file_within(url2pathname(urlsplit(url).path), self.roots)


def _private_host_reason(url: str) -> str | None:
    """Refuse hosts that resolve to this machine or its local network."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return f"host '{host}' cannot be resolved"
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved or ip.is_unspecified:
            return f"host '{host}' is a local or private address ({ip})"
    return None
