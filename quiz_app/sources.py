"""The source documents questions cite: where their texts live and how quotes match.

A quote matches when it appears in the document after folding whitespace, case and
typographic quotes and dashes, so an author may type straight quotes for curly ones.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from quiz_app.yamldoc import FileRefused, read_regular_file

SOURCES_ENV = "QUIZ_SOURCES_DIR"

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
MAX_SOURCE_BYTES = 10 * 1024 * 1024

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Normalise text for quote matching: NFKC, straight quotes and dashes, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return _SPACE.sub(" ", text).strip().casefold()


# After ., ! or ?, or after footnote marks (superscript digits) that close a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[\u00b9\u00b2\u00b3\u2070-\u2079])\s+(?=[A-Z])")


def split_sentences(text: str) -> tuple[str, ...]:
    """Folded sentences of `text`: each line split after ., ! or ?, blanks dropped."""
    found = (fold(part) for line in text.splitlines() for part in _SENTENCE_END.split(line))
    return tuple(sentence for sentence in found if sentence)


def word_count(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class SourceTexts:
    """Where the source texts were looked for, and the folded texts found there."""

    directory: Path | None
    skipped_reason: str | None

    @property
    def available(self) -> bool:
        return self.skipped_reason is None

    def folded(self, file_name: str) -> str | None:
        """The folded text of `file_name`, or None when it cannot be read (`refusal`)."""
        if self.directory is None:
            return None
        return _read_folded(self.directory, file_name)

    def sentences(self, file_name: str) -> tuple[str, ...]:
        """The folded sentences of `file_name` (list lines count as sentences), in order;
        joined with single spaces they give `folded(file_name)`. Empty when unreadable."""
        try:
            return split_sentences(self.read(file_name))
        except FileRefused:
            return ()

    def read(self, file_name: str) -> str:
        """The text of `file_name`: only a regular UTF-8 file of at most MAX_SOURCE_BYTES
        inside the folder (links may not leave it). Raises FileRefused saying why not."""
        if self.directory is None:
            raise FileRefused(f"cannot be read: {self.skipped_reason}")
        path = self.directory / file_name
        if not os.path.lexists(path):
            raise FileRefused(f"is not in {self.directory}")
        raw = read_regular_file(path, MAX_SOURCE_BYTES, "a source text", self.directory)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused(f"in {self.directory} is not UTF-8 text") from None

    def refusal(self, file_name: str) -> str | None:
        """Why `file_name` cannot be read, or None when it can."""
        try:
            self.read(file_name)
        except FileRefused as exc:
            return exc.message
        return None


_folded_cache: dict[Path, tuple[float, str]] = {}


def _read_folded(directory: Path, file_name: str) -> str | None:
    path = directory / file_name
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _folded_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        text = fold(SourceTexts(directory, None).read(file_name))
    except FileRefused:
        return None
    _folded_cache[path] = (mtime, text)
    return text


def find_source_texts(explicit: Path | None = None, declared: Path | None = None) -> SourceTexts:
    """Locate the source texts, first found wins: `explicit`, $QUIZ_SOURCES_DIR, the
    folder `sources.yaml` names (`declared`; by default `sources/` beside the banks),
    and last `../shared/sources` beside the checkout (or beside the current folder's
    parent). Returns a SourceTexts whose `skipped_reason` says where it looked when
    the quote check cannot run."""
    if explicit is not None:
        return _from_dir(explicit, f"sources folder {explicit} does not exist")
    configured = os.environ.get(SOURCES_ENV)
    if configured:
        return _from_dir(Path(configured), f"{SOURCES_ENV}={configured} does not exist")
    candidates = [
        *([declared] if declared is not None else []),
        _PACKAGE_ROOT.parent / "shared" / "sources",
        Path.cwd().parent / "shared" / "sources",
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return SourceTexts(candidate, None)
    looked = f"{declared} (named by sources.yaml) or " if declared is not None else ""
    return SourceTexts(
        None,
        f"no source texts found in {looked}../shared/sources; set {SOURCES_ENV} to their folder",
    )


def _from_dir(directory: Path, missing: str) -> SourceTexts:
    if directory.is_dir():
        return SourceTexts(directory, None)
    return SourceTexts(None, missing)
