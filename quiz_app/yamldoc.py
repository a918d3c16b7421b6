"""Read a YAML file safely into plain Python data while remembering each value's line.

The bank validator reports `FILE:LINE: message`, so every value must be traceable to
where it was written. We compose the YAML node graph with the C loader when present,
then build plain data ourselves: that is where duplicate keys, aliases, unknown tags
and absurd nesting are refused, instead of being silently accepted or exploding.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz_app.errors import Problem

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 200_000

Loc = tuple[str | int, ...]

# Control characters YAML would reject with a byte offset only, plus the bidirectional
# overrides that can make text display differently from what it says ("Trojan source").
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

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


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        self.problem_line = line
        self.message = message
        super().__init__(message)


def load_yaml(path: Path, display: str | None = None) -> YamlDoc | Problem:
    """Parse `path` into a YamlDoc, or return the Problem that stops it being read.

    Never raises for bad content: oversized, non-UTF-8, binary, malformed or hostile
    files (alias bombs, duplicate keys, deep nesting) each come back as one Problem.
    """
    shown = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(
                shown,
                1,
                f"file is {size / 1_048_576:.1f} MB; a bank file may be at most "
                f"{MAX_FILE_BYTES // 1_048_576} MB",
            )
        raw = path.read_bytes()
    except OSError as exc:
        return Problem(shown, 1, f"cannot read file: {exc.strerror or exc}")
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
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _describe_yaml_error(exc, text) from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", 0) or 0
        raise YamlProblem(text.count("\n", 0, position) + 1, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, f"nesting is deeper than {MAX_DEPTH} levels") from None
    if root is None:
        raise YamlProblem(1, "file is empty")
    doc = YamlDoc(path=shown, data=None)
    builder = _Builder(doc)
    doc.data = builder.build(root, (), root.start_mark.line + 1, 0)
    return doc


def _describe_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    problem = exc.problem or "cannot be parsed"
    if mark is not None:
        lines = text.splitlines()
        row = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in row[: mark.column + 1]:
            return YamlProblem(line, "tab character in indentation; YAML indents with spaces")
    return YamlProblem(line, f"not valid YAML: {problem}")


class _Builder:
    """Turns a composed node graph into plain data, recording a line per location."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.seen: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, loc: Loc, line: int, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"nesting is deeper than {MAX_DEPTH} levels")
        if id(node) in self.seen:
            raise YamlProblem(line, "anchors and aliases (&name, *name) are not allowed in banks")
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise YamlProblem(line, f"file has more than {MAX_NODES:,} values")
        self.doc.lines[loc] = line
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            # An aliased item keeps its anchor's mark, so point at this list instead.
            return [
                self.build(item, (*loc, i), max(item.start_mark.line + 1, line), depth + 1)
                for i, item in enumerate(node.value)
            ]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc, depth)
        raise YamlProblem(line, f"unsupported YAML node {node.tag}")

    def mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Hashable, Any]:
        result: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
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
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(node.start_mark.line + 1, f"YAML tag {node.tag} is not allowed")
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            raise YamlProblem(node.start_mark.line + 1, f"bad value: {exc}") from None
