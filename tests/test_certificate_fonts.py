"""Every name sign-up accepts prints on the certificate, in its own script, whole.

The names below go through sign-up, then onto a certificate PDF, whose text pypdf reads
back. A name that no installed font can print is refused at sign-up and never drawn
(CannotPrint; the page and `quiz-app certificate` say which characters). The fonts come
from Debian's fonts-noto-core, fonts-noto-cjk and fonts-symbola: where they are missing
the script tests are skipped, except in CI ($QUIZ_REQUIRE_FONTS), which installs them.
"""

from __future__ import annotations

import io
import os
import unicodedata
import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from quiz_app import fonts
from quiz_app.accounts import AccountError, Accounts
from quiz_app.certificate_pdf import CannotPrint, printing_problem, render
from quiz_app.certificates import Certificates
from quiz_app.cli import cli
from quiz_app.records import Certificate
from quiz_app.store import Store
from tests.test_certificates import pass_post_test

NAMES = {
    "latin-accents": "José Müller-Øberg Ångström",
    "greek": "Αλέξανδρος Παπαδόπουλος",
    "cyrillic": "Анна Каренина",
    "chinese": "王小明",
    "japanese": "山田 はなこ",
    "korean": "김민준",
    "arabic": "محمد عبد الله",
    "hebrew": "דוד כהן",
    "devanagari": "प्रिया शर्मा",
    "emoji": "Sam 🙂 ☃",
    "combining-marks": "Zoë N\u0307\u0303 a\u0301\u0323 q\u0307",
    "persian-zwnj": "می\u200cخواهم",
    "thai": "สมชาย ใจดี",
}
# Which font must carry each script (the PDF names the fonts it embeds).
FONT_OF = {
    "chinese": "NotoSansCJKSC",
    "japanese": "NotoSansCJKJP",
    "korean": "NotoSansCJK",
    "arabic": "NotoSansArabic",
    "hebrew": "NotoSansHebrew",
    "devanagari": "NotoSansDevanagari",
    "emoji": "Symbola",
    "combining-marks": "NotoSansBold",
    "thai": "NotoSansThai",
}
REQUIRED = bool(os.environ.get("QUIZ_REQUIRE_FONTS"))


def needs_fonts(name: str) -> None:
    missing = fonts.unprintable(name)
    if missing:
        assert not REQUIRED, f"fonts missing for {fonts.describe(missing)}"
        pytest.skip(f"no installed font has {fonts.describe(missing)}")


def certificate_for(name: str, **changes) -> Certificate:
    fields = dict(
        code="ABCD-EFGH-JKLM-NPQR",
        attempt_id=1,
        user_id=1,
        learner_name=name,
        course_title="Dry needling: what it is",
        objectives=("Describe dry needling.",),
        ce_hours=1.5,
        provider="Demo provider",
        score_pct=90.0,
        pass_mark=80.0,
        completed_at="2026-11-02T10:00:00+00:00",
        issued_at="2026-11-02T10:00:00+00:00",
    )
    return Certificate(**{**fields, **changes})


def drawn(data: bytes) -> tuple[str, list[str]]:
    """The name line of a certificate as pypdf reads it, and the fonts the PDF embeds.

    pypdf reads the two-byte codes of a CFF font with an embedded encoding (Noto Sans
    CJK) as pairs of bytes, giving a NUL before each character, and maps a few reordered
    glyphs (a Devanagari vowel sign drawn before its consonant) to control codes: those
    control characters are dropped before comparing."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    lines = page.extract_text().splitlines()
    after = lines[next(n for n, line in enumerate(lines) if "This certifies that" in line) + 1]
    text = "".join(c for c in after if unicodedata.category(c) != "Cc")
    embedded = [
        str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()
    ]
    return unicodedata.normalize("NFC", " ".join(text.split())), embedded


def as_read(name: str) -> str:
    """What the PDF's text reads as: a right-to-left name's words come out in the order
    they sit on the page (visual order), each word's letters in reading order."""
    name = unicodedata.normalize("NFC", name)
    rtl = next((unicodedata.bidirectional(c) in ("R", "AL") for c in name
                if unicodedata.bidirectional(c) in ("L", "R", "AL")), False)  # fmt: skip
    return " ".join(reversed(name.split())) if rtl else name


@pytest.mark.parametrize("script", NAMES, ids=list(NAMES))
def test_every_script_sign_up_accepts_prints_whole(store, script) -> None:
    name = NAMES[script]
    needs_fonts(name)
    user = Accounts(store).sign_up(f"user-{script}", name, "a long password")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fpdf2 warns when it draws a glyph a font lacks
        data = render(certificate_for(user.display_name))
    text, embedded = drawn(data)
    assert text == as_read(name)
    if script in FONT_OF:
        assert any(FONT_OF[script] in font for font in embedded), embedded


def test_a_latin_name_reads_only_source_sans(store) -> None:
    data = render(certificate_for("Ann Lee"))
    assert all(font.split("+")[-1].startswith("SourceSansPro") for font in drawn(data)[1])


def test_sign_up_refuses_a_name_no_font_prints_saying_which_characters(store, no_fonts):
    with pytest.raises(AccountError) as refused:
        Accounts(store).sign_up("wang", "Wang 王小明", "a long password")
    message = str(refused.value)
    assert "certificate cannot print" in message
    assert "王 (U+738B CJK UNIFIED IDEOGRAPH-738B)" in message
    assert store.user_by_username("wang") is None
    assert Accounts(store).sign_up("wang", "Wang Xiaoming", "a long password")


def test_a_name_no_font_prints_is_never_drawn(no_fonts) -> None:
    certificate = certificate_for("Kim 김민준")
    problem = printing_problem(certificate)
    assert problem and "김 (U+AE40 HANGUL SYLLABLE GIM)" in problem
    with pytest.raises(CannotPrint, match="cannot print the name"):
        render(certificate)
    assert printing_problem(replace(certificate, learner_name="Kim Minjun")) is None
    course_text = replace(certificate, learner_name="Kim", objectives=("Read 김치.",))
    with pytest.raises(CannotPrint, match="course's text"):
        render(course_text)


def test_the_command_line_says_which_characters_and_writes_nothing(
    cli_world, store, tiny_course, db_path, tmp_path, no_fonts
) -> None:
    """A certificate whose name the server cannot print (issued before this rule, or while
    fonts were installed that are gone): one line naming the character, exit 1, no file;
    the certificate itself stays issued and verifiable."""
    cyd = cli_world["people"]["cyd"]
    store.execute("UPDATE users SET display_name = ? WHERE id = ?", ["Cyd 王", cyd.id])
    passed = pass_post_test(cli_world, tiny_course)
    out = tmp_path / "cert.pdf"
    result = CliRunner().invoke(cli, ["certificate", "--db", str(db_path),
                                      "--attempt", str(passed.id), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "王 (U+738B" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
    assert Certificates(Store(db_path), tiny_course).for_attempt(passed.id).learner_name == "Cyd 王"


def test_default_ignorable_characters_need_no_glyph() -> None:
    assert fonts.unprintable("Ana\u200d\ufe0f\u200c Lee") == []
    assert [c for c in "a\u200db" if not fonts.ignorable(c)] == ["a", "b"]


def test_font_files_are_found_by_name_under_the_font_folders(tmp_path, monkeypatch) -> None:
    source = Path(fonts.source_faces()[""])
    folder = tmp_path / "deep" / "folder"
    folder.mkdir(parents=True)
    (folder / "NotoSansThai-Regular.ttf").write_bytes(source.read_bytes())
    monkeypatch.setattr(fonts, "FONT_FOLDERS", (tmp_path,))
    fonts._installed.cache_clear()
    fonts.fallback_chain.cache_clear()
    try:
        chain = fonts.fallback_chain()
    finally:
        fonts._installed.cache_clear()
        fonts.fallback_chain.cache_clear()
    assert [(face.family, face.regular, face.bold) for face in chain] == [
        ("NotoThai", folder / "NotoSansThai-Regular.ttf", None)]  # fmt: skip
