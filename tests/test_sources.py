"""Quote folding and where the source texts are found."""

from __future__ import annotations

from pathlib import Path

import pytest

import quiz_app.sources as sources
from quiz_app.sources import SOURCES_ENV, find_source_texts, fold, word_count
from quiz_app.validate import validate_paths
from tests.conftest import SOURCE_TEXT, SOURCES_YAML


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('the body\u2019s "level"', "The body’s “level”"),
        ("tennis elbow - golfer", "Tennis elbow – golfer"),
        ("a  b\n c", "A b c"),
        ("ﬁbroblasts", "fibroblasts"),
    ],
    ids=["curly-quotes", "dashes", "whitespace", "ligature"],
)
def test_fold_makes_typed_and_written_text_equal(typed: str, written: str) -> None:
    assert fold(typed) == fold(written)


def test_word_count() -> None:
    assert word_count("  one two\nthree ") == 3


def test_env_var_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOURCES_ENV, str(tmp_path))
    texts = find_source_texts()
    assert texts.available and texts.directory == tmp_path


def test_default_is_shared_sources_beside_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SOURCES_ENV, raising=False)
    texts = find_source_texts()
    assert texts.available
    assert texts.directory is not None and texts.directory.parts[-2:] == ("shared", "sources")


def _banks_with_sources(root: Path, folder_line: str = "") -> Path:
    banks = root / "banks"
    banks.mkdir()
    (banks / "sources.yaml").write_text(folder_line + SOURCES_YAML, encoding="utf-8")
    return banks


def _texts_at(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "doc.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    return folder


def _no_fallback(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Hide ../shared/sources: the package root and the current folder move to `root`."""
    monkeypatch.delenv(SOURCES_ENV, raising=False)
    monkeypatch.setattr(sources, "_PACKAGE_ROOT", root / "pkg" / "checkout")
    monkeypatch.chdir(root)


def test_sources_yaml_names_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_fallback(monkeypatch, tmp_path)
    banks = _banks_with_sources(tmp_path, "folder: ../texts\n")
    texts = _texts_at(tmp_path / "texts")
    report = validate_paths([banks])
    assert report.ok and report.quotes_skipped_reason is None
    assert report.texts_of_doc["doc"].directory == banks / "../texts"
    assert (banks / "../texts").resolve() == texts.resolve()


def test_default_folder_is_sources_beside_the_banks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_fallback(monkeypatch, tmp_path)
    banks = _banks_with_sources(tmp_path)
    _texts_at(banks / "sources")
    report = validate_paths([banks])
    assert report.quotes_skipped_reason is None
    assert report.texts_of_doc["doc"].directory == banks / "sources"


def test_env_var_overrides_the_named_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_fallback(monkeypatch, tmp_path)
    banks = _banks_with_sources(tmp_path, "folder: ../texts\n")
    _texts_at(tmp_path / "texts")
    other = _texts_at(tmp_path / "other")
    monkeypatch.setenv(SOURCES_ENV, str(other))
    report = validate_paths([banks])
    assert report.texts_of_doc["doc"].directory == other


def test_nothing_found_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_fallback(monkeypatch, tmp_path)
    banks = _banks_with_sources(tmp_path, "folder: ../texts\n")
    report = validate_paths([banks])
    assert report.ok and report.quotes_checked == 0
    assert report.quotes_skipped_reason == (
        f"no source texts found in {banks / '../texts'} (named by sources.yaml) or "
        "../shared/sources; set QUIZ_SOURCES_DIR to their folder"
    )


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "documents:\n  a: {label: Same, title: A, file: doc.txt}\n"
            "  b: {label: same, title: B, file: doc.txt}\n",
            'sources.yaml:3: source b: label: "same" is already the label of a',
        ),
        (
            "documents:\n  a: {title: A, file: doc.txt}\n",
            "sources.yaml:2: source a.label: is required",
        ),
        (
            "texts: here\ndocuments:\n  a: {label: A, title: A, file: doc.txt}\n",
            "sources.yaml:1: texts: is not a field of sources.yaml",
        ),
        (
            "a: {label: A, title: A, file: doc.txt}\n",
            "sources.yaml:1: must have documents: a mapping of each source id to its label, "
            "title and file (and optionally folder: where the texts are)",
        ),
    ],
    ids=["duplicate-label", "label-required", "unknown-key", "old-format"],
)
def test_sources_yaml_is_checked(bank_dir: Path, yaml_text: str, message: str) -> None:
    (bank_dir / "sources.yaml").write_text(yaml_text, encoding="utf-8")
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [message]
