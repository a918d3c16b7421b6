"""Quote folding and where the source texts are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.sources import SOURCES_ENV, find_source_texts, fold, word_count


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
