"""What the sandbox allows and what it refused, without WeasyPrint: the parent of the typesetting
workers never loads it (`guide.fetcher` holds the fetcher itself, which WeasyPrint calls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guide.fonts import FONT_DIRS
from guide.resources import STYLES_DIR


def sandbox_roots(project: Path) -> tuple[Path, ...]:
    """The folders a build may load from: the project, the package's styles and fonts.

    An author stylesheet is read as text (its url()s resolve in the project), so its own folder is
    never a root.
    """
    return (project, STYLES_DIR, *FONT_DIRS)


class FetchRefusedError(ValueError):
    """Raised to WeasyPrint for a refused fetch: the build reports it from `refusals`, by type."""


@dataclass(frozen=True)
class Refusal:
    """A resource the sandbox would not load."""

    url: str
    """The address as WeasyPrint asked for it."""
    reason: str
    """Why it was refused."""


@dataclass
class Sandbox:
    """The sandbox of a build typeset in worker processes: each worker fetches with its own
    `SandboxedFetcher` made from these settings; what they refused and loaded is gathered here."""

    roots: tuple[Path, ...]
    """The folders it may load from, resolved."""
    allow_remote: bool = False
    allow_private_hosts: bool = False
    refusals: list[Refusal] = field(default_factory=list)
    loaded: list[Path] = field(default_factory=list)
    """The local files the workers loaded: inputs of the build."""

    @classmethod
    def of(
        cls, roots: tuple[Path, ...], allow_remote: bool = False, allow_private_hosts: bool = False
    ) -> Sandbox:
        """The sandbox over `roots` (resolved here, as the fetcher resolves them)."""
        return cls(tuple(root.resolve() for root in roots), allow_remote, allow_private_hosts)
