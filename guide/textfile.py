"""Read an author's text file: UTF-8 (with or without BOM), any line ends."""

from __future__ import annotations

from pathlib import Path

from guide.errors import Diagnostic, GuideError
from guide.limits import MAX_FILE_BYTES
from guide.paths import file_problem, path_text_problem


def read_text(abs_path: Path, source_path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the file's text with LF line ends, or raise GuideError saying why not."""
    return decode_text(read_bytes(abs_path, source_path, max_bytes), source_path)


def read_bytes(abs_path: Path, source_path: str, max_bytes: int) -> bytes:
    """Return the file's bytes, refusing folders and files over `max_bytes`."""
    if problem := path_text_problem(str(abs_path)):
        raise GuideError(Diagnostic(source_path, None, f"path {problem}"))
    try:
        if abs_path.is_dir():
            raise GuideError(Diagnostic(source_path, None, "is a folder; name the files to read"))
        if (problem := file_problem(abs_path)) is not None:  # a pipe or device would never end
            raise GuideError(Diagnostic(source_path, None, problem))
        size = abs_path.stat().st_size
        if size > max_bytes:
            raise GuideError(
                Diagnostic(
                    source_path, None, f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes"
                )
            )
        return abs_path.read_bytes()
    except OSError as exc:
        raise GuideError(Diagnostic(source_path, None, f"cannot read file: {exc.strerror}")) from exc


def decode_text(data: bytes, source_path: str) -> str:
    """Decode UTF-8 bytes to text with LF line ends, naming the bad byte if there is one."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GuideError(Diagnostic(source_path, 1, "unsupported encoding UTF-16: save the file as UTF-8"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise GuideError(
            Diagnostic(
                source_path,
                line,
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; save it as UTF-8",
            )
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _reject_control_characters(text, source_path)
    return text


def _reject_control_characters(text: str, source_path: str) -> None:
    """Raise for NUL and other C0 control characters, which no post should carry."""
    for index, char in enumerate(text):
        if char < " " and char not in "\n\t":
            line = text.count("\n", 0, index) + 1
            raise GuideError(Diagnostic(source_path, line, f"control character U+{ord(char):04X} in text"))
