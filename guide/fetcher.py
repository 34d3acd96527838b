"""The one URL fetcher for everything WeasyPrint loads: project files, our own files, data: URIs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


@dataclass(frozen=True)
class Refusal:
    """A resource the sandbox would not load."""

    url: str
    """The address as WeasyPrint asked for it."""
    reason: str
    """Why it was refused."""


class SandboxedFetcher(URLFetcher):  # type: ignore[misc] # WeasyPrint ships no type hints
    """Load files under the allowed folders and data: URIs; refuse and record everything else."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(timeout=5, allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.refusals: list[Refusal] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Fetch `url` if the sandbox allows it."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._allowed_file(url)
            if path is not None:
                return URLFetcherResponse(path.as_uri(), path.read_bytes())
            reason = "it is outside the project folder or does not exist"
        else:
            reason = f"'{scheme}:' resources are never fetched during a build"
        self.refusals.append(Refusal(url, reason))
        raise ValueError(f"refused to load {url}: {reason}")

    def _allowed_file(self, url: str) -> Path | None:
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
            return path
        return None
