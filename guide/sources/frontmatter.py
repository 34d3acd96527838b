"""Split YAML front matter from a post and check the keys a post may carry."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from guide.errors import Diagnostic, GuideError, Report, shown
from guide.hints import impossible_date, unknown_key_message, yaml_hint
from guide.limits import (
    MAX_CREDITS,
    MAX_FRONT_MATTER_BYTES,
    MAX_METADATA_CHARS,
    MAX_TITLE_CHARS,
    MAX_YAML_DEPTH,
    parser_limits,
)
from guide.metadata import metadata_problem

POST_KEYS = ("title", "subtitle", "date", "url", "author", "credits")
DATE_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


@dataclass(frozen=True)
class FrontMatter:
    """The checked metadata a post declares about itself."""

    title: str | None = None
    subtitle: str | None = None
    date: dt.date | None = None
    url: str | None = None
    author: str | None = None
    credits: tuple[str, ...] = ()


# libyaml's parser when PyYAML has it: the same safe constructors, a faster scanner.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that keeps every scalar as the string the author wrote."""


_StringLoader.yaml_implicit_resolvers = {}


def _construct_mapping(loader: _StringLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_StringLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def split_front_matter(text: str, source_path: str) -> tuple[str | None, str, int]:
    """Return (front matter text or None, body, line where the body starts)."""
    if text.startswith(("+++\n", "+++\r")):
        raise GuideError(
            Diagnostic(
                source_path,
                1,
                "front matter between '+++' lines is TOML (Hugo); write YAML between '---' lines",
            )
        )
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None, text, 1
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise GuideError(Diagnostic(source_path, 1, "front matter opened with '---' is never closed"))


def parse_front_matter(raw: str, source_path: str, warnings: Report) -> FrontMatter:
    """Parse and check front matter; raise GuideError naming the line of each problem."""
    data = load_yaml(raw, source_path)
    report = Report()
    for key in data:
        if key not in POST_KEYS:
            report.warn(
                source_path, _key_line(raw, key), unknown_key_message("front matter key", key, POST_KEYS)
            )
    meta = FrontMatter(
        title=_text(data, "title", raw, source_path, report),
        subtitle=_text(data, "subtitle", raw, source_path, report),
        url=_text(data, "url", raw, source_path, report),
        author=_text(data, "author", raw, source_path, report),
        date=_date(data, raw, source_path, report),
        credits=_credits(data, raw, source_path, report),
    )
    report.raise_if_errors()
    warnings.diagnostics.extend(report.warnings)
    return meta


def load_yaml(raw: str, source_path: str) -> dict[str, Any]:
    """Parse front matter as plain data: no anchors, aliases or tags beyond YAML's own."""
    if len(raw.encode()) > MAX_FRONT_MATTER_BYTES:
        raise GuideError(
            Diagnostic(source_path, 2, f"front matter is over the limit of {MAX_FRONT_MATTER_BYTES:,} bytes")
        )
    try:
        with parser_limits(source_path, 2, "front matter"):
            _check_events(raw, source_path)
            data = yaml.load(raw, Loader=_StringLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 2 if mark else 1
        problem = ": ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        source_line = raw.split("\n")[mark.line] if mark and mark.line < raw.count("\n") + 1 else ""
        if hint := yaml_hint(problem, source_line):
            problem = f"{problem} ({hint})"
        raise GuideError(Diagnostic(source_path, line, f"front matter: {problem}")) from exc
    except yaml.YAMLError as exc:
        raise GuideError(Diagnostic(source_path, 1, f"front matter: {exc}")) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GuideError(Diagnostic(source_path, 2, "front matter must be 'key: value' lines"))
    return data


def _check_events(raw: str, source_path: str) -> None:
    """Raise at the first anchor, alias or nesting past MAX_YAML_DEPTH, reading events only.

    Blog front matter never needs anchors, and aliases can multiply a few lines into gigabytes;
    libyaml's composer recurses on the C stack, so depth is bounded before it runs.
    """
    depth = 0
    for event in yaml.parse(raw, Loader=_SafeLoader):
        line = event.start_mark.line + 2 if event.start_mark else 2
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            message = "front matter: anchors and aliases are not allowed"
            message += " (quote a value that begins with '&' or '*')"
            raise GuideError(Diagnostic(source_path, line, message))
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                message = f"front matter: lists or mappings nested over {MAX_YAML_DEPTH} levels deep"
                raise GuideError(Diagnostic(source_path, line, message))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _key_line(raw: str, key: str) -> int:
    found = re.search(rf"^{re.escape(str(key))}\s*:", raw, re.MULTILINE)
    return raw.count("\n", 0, found.start()) + 2 if found else 2


def _text(data: dict[str, Any], key: str, raw: str, source_path: str, report: Report) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        report.error(source_path, _key_line(raw, key), f"'{key}' must be text")
        return None
    limit = MAX_TITLE_CHARS if key in ("title", "author") else MAX_METADATA_CHARS
    problem = metadata_problem(key, value, limit)
    if problem is not None:
        report.diagnostics.append(Diagnostic(source_path, _key_line(raw, key), *problem))
    return " ".join(value.split())


def _date(data: dict[str, Any], raw: str, source_path: str, report: Report) -> dt.date | None:
    value = data.get("date")
    if value is None or value == "":
        return None
    found = DATE_RE.match(value) if isinstance(value, str) else None
    if found:
        try:
            return dt.date.fromisoformat(found.group(1))
        except ValueError:
            reason = impossible_date(found.group(1)) or "no such day"
            report.error(
                source_path, _key_line(raw, "date"), f"'date' {shown(value)} is impossible: {reason}"
            )
            return None
    report.error(source_path, _key_line(raw, "date"), f"'date' must be YYYY-MM-DD (got {shown(value)})")
    return None


def _one_line(mapping: dict[Any, Any]) -> Any:
    ((key, value),) = mapping.items()
    return f"{key}: {value}" if isinstance(key, str) and isinstance(value, str) else mapping


def _credits(data: dict[str, Any], raw: str, source_path: str, report: Report) -> tuple[str, ...]:
    value = data.get("credits")
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        # `- Photo: Jo` reads as a one-key mapping; the author meant the line as written.
        value = [_one_line(v) if isinstance(v, dict) and len(v) == 1 else v for v in value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        report.error(source_path, _key_line(raw, "credits"), "'credits' must be a list of text lines")
        return ()
    if len(value) > MAX_CREDITS:
        message = f"'credits' has {len(value):,} lines (limit {MAX_CREDITS:,})"
        report.error(source_path, _key_line(raw, "credits"), message)
        return ()
    for line in value:
        problem = metadata_problem("credits", line, MAX_METADATA_CHARS)
        if problem is not None:
            report.diagnostics.append(Diagnostic(source_path, _key_line(raw, "credits"), *problem))
    return tuple(" ".join(v.split()) for v in value)
