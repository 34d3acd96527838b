"""The one URL fetcher for everything WeasyPrint loads: project files, our own files, data: URIs."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from guide.interrupt import stop_if_interrupted

REMOTE_TIMEOUT = 5
"""Seconds to wait for a remote image when --allow-remote lets it through."""


@dataclass(frozen=True)
class Refusal:
    """A resource the sandbox would not load."""

    url: str
    """The address as WeasyPrint asked for it."""
    reason: str
    """Why it was refused."""


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

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Fetch `url` if the sandbox allows it."""
        stop_if_interrupted()
        reason = self._refusal_reason(url)
        if reason is None:
            if urlsplit(url).scheme.lower() == "file":
                path = self._local_path(url)
                return URLFetcherResponse(path.as_uri(), path.read_bytes())
            return super().fetch(url, headers)
        self.refusals.append(Refusal(url, reason))
        raise ValueError(f"refused to load {url}: {reason}")

    def _refusal_reason(self, url: str) -> str | None:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return None
        if scheme == "file":
            path = self._local_path(url)
            inside = any(path.is_relative_to(root) for root in self.roots)
            return None if inside and path.is_file() else "it is outside the project folder or does not exist"
        if scheme in ("http", "https"):
            if not self.allow_remote:
                return "remote resources are not fetched during a build (see --allow-remote)"
            return None if self.allow_private_hosts else _private_host_reason(url)
        return f"'{scheme}:' resources are never fetched during a build"

    @staticmethod
    def _local_path(url: str) -> Path:
        return Path(url2pathname(urlsplit(url).path)).resolve()


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
