"""Which fonts print a text on the certificate, and which characters none of them can.

The certificate is set in Source Sans Pro (from the font-source-sans-pro package: Latin,
Greek and Cyrillic). A character it lacks is taken from the first font of the fallback
chain that has it: Noto Sans (more Latin, Greek and Cyrillic, and combining marks), Noto
Sans Arabic, Hebrew and Devanagari, Noto Sans CJK (Chinese, Japanese, Korean), the Noto
symbol fonts, Symbola (emoji, in outline), DejaVu Sans, and then every other Noto Sans
font installed (Thai, Bengali, Tamil, Ethiopic...). On Debian those are the packages
fonts-noto-core, fonts-noto-cjk, fonts-symbola and fonts-dejavu-core; fonts are looked
for by file name under FONT_FOLDERS, so another system's layout works too.

Only fonts a text needs are read, each font's character map once per process, so a
Latin name costs nothing beyond Source Sans. `unprintable` is the one rule for "can this
be printed": sign-up refuses a name with such characters and the certificate PDF is
never drawn with one (there is no blank or partial name).
"""

from __future__ import annotations

import bisect
import functools
import os
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
# Noto Sans CJK collections hold one font per region: 0 is Japanese, 2 Simplified Chinese.
CJK_JAPANESE, CJK_CHINESE = 0, 2


@dataclass(frozen=True)
class Face:
    """One font family: its name in the PDF, and its regular and bold files."""

    family: str
    regular: Path
    bold: Path | None = None
    number: int = 0  # the font's index in a collection (.ttc)


def _source_folder() -> Path:
    import font_source_sans_pro

    return Path(font_source_sans_pro.font_directory)


def source_faces() -> dict[str, Path]:
    """Source Sans Pro's files by the style the certificate uses them in."""
    folder = _source_folder()
    return {
        "": folder / "SourceSansPro-Regular.ttf",
        "B": folder / "SourceSansPro-Bold.ttf",
        "I": folder / "SourceSansPro-It.ttf",
        "SEMI": folder / "SourceSansPro-Semibold.ttf",
    }


# The fallback chain, in order: family, regular file, bold file, collection index.
CHAIN = (
    ("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", 0),
    ("NotoArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", 0),
    ("NotoHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", 0),
    ("NotoDevanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf", 0),
    ("NotoCJK", "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", CJK_CHINESE),
    ("NotoSymbols", "NotoSansSymbols-Regular.ttf", "NotoSansSymbols-Bold.ttf", 0),
    ("NotoSymbolsTwo", "NotoSansSymbols2-Regular.ttf", None, 0),
    ("Symbola", "Symbola_hint.ttf", None, 0),
    ("DejaVu", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 0),
)


@functools.cache
def _installed() -> dict[str, Path]:
    """Every font file under FONT_FOLDERS, by file name (the first one found wins)."""
    found: dict[str, Path] = {}
    for folder in FONT_FOLDERS:
        for root, _dirs, files in os.walk(folder):
            for name in sorted(files):
                if name.endswith((".ttf", ".ttc", ".otf")):
                    found.setdefault(name, Path(root) / name)
    return found


@functools.cache
def fallback_chain() -> tuple[Face, ...]:
    """The installed fallback fonts, in the order they are tried."""
    installed = _installed()
    faces = [
        Face(family, installed[regular], installed.get(bold) if bold else None, number)
        for family, regular, bold, number in CHAIN
        if regular in installed
    ]
    named = {regular for _family, regular, _bold, _number in CHAIN}
    for name in sorted(installed):
        if (name.startswith("NotoSans") and name.endswith("-Regular.ttf") and name not in named
                and not any(part in name for part in ("Mono", "UI-", "Display"))):  # fmt: skip
            script = name.removeprefix("NotoSans").removesuffix("-Regular.ttf")
            bold = name.replace("-Regular.ttf", "-Bold.ttf")
            faces.append(Face(f"Noto{script}", installed[name], installed.get(bold)))
    return tuple(faces)


class _Points:
    """A font's code points, sorted in an array (4 bytes each, not a set's 60 or so: every
    installed font's map, when a name needs them all, fits in a few MB)."""

    def __init__(self, points: Iterable[int]):
        self._points = array("I", sorted(points))

    def __contains__(self, point: int) -> bool:
        index = bisect.bisect_left(self._points, point)
        return index < len(self._points) and self._points[index] == point


@functools.cache
def _characters(path: Path, number: int = 0) -> _Points:
    """The code points a font file draws (its character map)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=number, lazy=True) as font:
        return _Points(font.getBestCmap() or ())


def _source_characters() -> _Points:
    return _characters(source_faces()[""])


def ignorable(c: str) -> bool:
    """True for a character no font needs to draw: format characters (joiners, marks of
    direction), variation selectors, the combining grapheme joiner, the plain space."""
    return (
        c == " "
        or unicodedata.category(c) == "Cf"
        or "\ufe00" <= c <= "\ufe0f"
        or "\U000e0100" <= c <= "\U000e01ef"
        or c == "\u034f"
    )


def _needing_glyphs(text: str) -> Iterator[int]:
    source = _source_characters()
    for c in dict.fromkeys(unicodedata.normalize("NFC", text)):
        if not ignorable(c) and ord(c) not in source:
            yield ord(c)


def _with_region(face: Face, text: str) -> Face:
    """Noto Sans CJK in its Japanese form for a text with kana, Chinese otherwise."""
    if face.family != "NotoCJK":
        return face
    kana = any("\u3040" <= c <= "\u30ff" or "\u31f0" <= c <= "\u31ff" for c in text)
    return Face(face.family, face.regular, face.bold, CJK_JAPANESE if kana else CJK_CHINESE)


def faces_for(text: str) -> list[Face]:
    """The fallback fonts that `text` needs, in chain order (empty for text that Source
    Sans prints alone); characters no font has are left out (see `unprintable`)."""
    needed: list[Face] = []
    chain = fallback_chain()
    for point in _needing_glyphs(text):
        for face in chain:
            if point in _characters(face.regular, face.number):
                if face not in needed:
                    needed.append(face)
                break
    return [_with_region(face, text) for face in chain if face in needed]


def unprintable(text: str) -> list[str]:
    """The characters of `text` (after NFC) that no installed font can print, in order."""
    chain = fallback_chain()
    return [
        chr(point)
        for point in _needing_glyphs(text)
        if not any(point in _characters(face.regular, face.number) for face in chain)
    ]


def describe(characters: list[str]) -> str:
    """`characters` for a message: each as itself, its code point and its Unicode name."""
    return ", ".join(
        f"{c} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')})" for c in characters
    )
