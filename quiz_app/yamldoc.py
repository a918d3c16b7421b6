"""Read a YAML file safely into plain Python data while remembering each value's line.

The bank validator reports `FILE:LINE: message`, so every value must be traceable to
where it was written. We compose the YAML node graph with the C loader when present,
then build plain data ourselves: that is where duplicate keys, aliases, unknown tags
and absurd nesting are refused, instead of being silently accepted or exploding.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz_app.errors import Problem

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 200_000
# A number longer than this is refused before it is converted: a hexadecimal or base-60
# number of thousands of digits takes long to build and cannot even be printed.
MAX_NUMBER_CHARS = 32

Loc = tuple[str | int, ...]

# Control characters YAML would reject with a byte offset only, plus the bidirectional
# overrides that can make text display differently from what it says ("Trojan source").
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

# YAML counts these as line breaks too; editors and `FILE:LINE` count only "\n".
_YAML_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_COLLECTION_TAGS = {
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}
_ANCHORS = "anchors and aliases (&name, *name) are not allowed in banks"

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class YamlDoc:
    """A parsed YAML file: its data, and the line each value (by location) came from."""

    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """The line of the value at `loc`, or of its nearest enclosing value."""
        for end in range(len(loc), -1, -1):
            found = self.lines.get(tuple(loc[:end]))
            if found is not None:
                return found
        return 1


class FileRefused(Exception):
    """A file that is not read: not a regular file, too big, a link out of its folder."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def read_regular_file(path: Path, limit: int, kind: str, folder: Path | None = None) -> bytes:
    """The bytes of `path`, read only when it is a regular file of at most `limit` bytes
    whose real location (links followed) is inside `folder` (by default its own folder).

    Never blocks on a FIFO nor reads a device; the size is checked on the open file, so
    a file that grows after the check is still cut off. Raises FileRefused saying why,
    with `kind` (e.g. "a bank file") naming what the limit is for.
    """
    try:
        real = path.resolve(strict=True)
        root = (folder if folder is not None else path.parent).resolve(strict=True)
    except RuntimeError:
        raise FileRefused("is a symbolic link in a loop (it leads back to itself)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRefused("is a symbolic link in a loop (it leads back to itself)") from None
        raise FileRefused(f"cannot read file: {exc.strerror or exc}") from None
    if not real.is_relative_to(root):
        raise FileRefused(
            f"is a link to a file outside its folder ({root}); links may not leave it"
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(real, flags)
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("is not a regular file (a folder, FIFO or device); it is not read")
        if info.st_size > limit:
            raise FileRefused(_too_big(info.st_size, limit, kind))
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(_too_big(len(data), limit, kind))
    return data


def _too_big(size: int, limit: int, kind: str) -> str:
    return f"file is {size / 1_048_576:.1f} MB; {kind} may be at most {limit // 1_048_576} MB"


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        self.problem_line = line
        self.message = message
        super().__init__(message)


def load_yaml(path: Path, display: str | None = None) -> YamlDoc | Problem:
    """Parse `path` into a YamlDoc, or return the Problem that stops it being read.

    Never raises for bad content: oversized, non-UTF-8, binary, malformed or hostile
    files (alias bombs, duplicate keys, deep nesting), and paths that are not regular
    files in their folder (FIFOs, devices, links out or in a loop) each come back as
    one Problem.
    """
    shown = display or str(path)
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES, "a bank file")
    except FileRefused as exc:
        return Problem(shown, 1, exc.message)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(shown, line, f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})")
    try:
        return parse_yaml(text, shown)
    except YamlProblem as exc:
        return Problem(shown, exc.problem_line, exc.message)


def parse_yaml(text: str, shown: str) -> YamlDoc:
    """Parse YAML text; raises YamlProblem with a line and a plain-words message."""
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise YamlProblem(line, f"contains the control character U+{ord(bad.group()):04X}")
    line_of = _line_counter(text)
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _describe_yaml_error(exc, text, line_of) from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", 0) or 0
        raise YamlProblem(text.count("\n", 0, position) + 1, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, f"nesting is deeper than {MAX_DEPTH} levels") from None
    if root is None:
        raise YamlProblem(1, "file is empty")
    doc = YamlDoc(path=shown, data=None)
    builder = _Builder(doc, line_of)
    doc.data = builder.build(root, (), line_of(root.start_mark.line), 0)
    if "&" in text:
        _refuse_anchors(text, line_of)
    return doc


def _line_counter(text: str) -> Callable[[int], int]:
    """Turns a YAML mark's 0-based line into the file's 1-based line: YAML also breaks
    lines at U+0085, U+2028, U+2029 and a lone CR, which editors do not."""
    if not any(mark in text for mark in "\r\x85\u2028\u2029"):
        return lambda line: line + 1
    table = [1]
    for found in _YAML_BREAK.finditer(text):
        table.append(table[-1] + ("\n" in found.group()))
    return lambda line: table[min(line, len(table) - 1)]


def _refuse_anchors(text: str, line_of: Callable[[int], int]) -> None:
    """An anchor nobody aliases is refused too: aliases are, and it hints at one."""
    for event in yaml.parse(text, Loader=SafeLoader):
        if getattr(event, "anchor", None) is not None:
            raise YamlProblem(line_of(event.start_mark.line), _ANCHORS)


def _describe_yaml_error(
    exc: yaml.MarkedYAMLError, text: str, line_of: Callable[[int], int]
) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = line_of(mark.line) if mark else 1
    problem = exc.problem or "cannot be parsed"
    if mark is not None:
        lines = text.splitlines()
        row = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in row[: mark.column + 1]:
            return YamlProblem(line, "tab character in indentation; YAML indents with spaces")
    return YamlProblem(line, f"not valid YAML: {problem}")


class _Builder:
    """Turns a composed node graph into plain data, recording a line per location."""

    def __init__(self, doc: YamlDoc, line_of: Callable[[int], int]):
        self.doc = doc
        self.line_of = line_of
        self.seen: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, loc: Loc, line: int, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"nesting is deeper than {MAX_DEPTH} levels")
        if id(node) in self.seen:
            raise YamlProblem(line, _ANCHORS)
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise YamlProblem(line, f"file has more than {MAX_NODES:,} values")
        self.doc.lines[loc] = line
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        expected = _COLLECTION_TAGS.get(type(node))
        if expected is not None and node.tag != expected:
            raise YamlProblem(line, f"YAML tag {node.tag} is not allowed")
        if isinstance(node, yaml.SequenceNode):
            # An aliased item keeps its anchor's mark, so point at this list instead.
            return [
                self.build(
                    item, (*loc, i), max(self.line_of(item.start_mark.line), line), depth + 1
                )
                for i, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc, depth)
        raise YamlProblem(line, f"unsupported YAML node {node.tag}")

    def mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Hashable, Any]:
        result: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key_line = self.line_of(key_node.start_mark.line)
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_line, "a mapping key must be plain text")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(key_line, "merge keys (<<) are not allowed in banks")
            key = self.scalar(key_node)
            if key in result:
                first = self.doc.lines.get((*loc, key), key_line)
                raise YamlProblem(key_line, f'key "{key}" appears twice (first at line {first})')
            result[key] = self.build(value_node, (*loc, key), key_line, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        line = self.line_of(node.start_mark.line)
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(line, f"YAML tag {node.tag} is not allowed")
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            raise YamlProblem(
                line,
                f"a number of {len(node.value):,} characters; a number may have at most "
                f"{MAX_NUMBER_CHARS} (put text in quotes)",
            )
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise YamlProblem(line, f"bad value: {exc}") from None
        # Escapes ("\0", "\e", "\u202E") make control characters the raw text lacks.
        bad = _FORBIDDEN_CHARS.search(value) if isinstance(value, str) else None
        if bad:
            raise YamlProblem(
                line, f"contains the control character U+{ord(bad.group()):04X} (as an escape)"
            )
        return value
