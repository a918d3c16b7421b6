"""The certificate as a one-page A4 PDF, drawn with fpdf2.

Text is set in Source Sans Pro (Latin, Greek and Cyrillic, accents included); a character
it lacks comes from the fallback fonts of `quiz_app.fonts` (Arabic, Hebrew, Devanagari,
Chinese, Japanese, Korean, emoji...), shaped by HarfBuzz (uharfbuzz) so that joined
scripts join and right-to-left names run right to left. A name with combining marks is
set in Noto Sans, whose marks sit on their letters. A certificate whose name or course
text has a character no installed font prints is never drawn: `render` raises
CannotPrint naming it.

Under the name, the learner's licence (when the certificate has one); under the facts
(completion, score, pass mark, contact hours and CEUs), one line of what the course's
certificate settings and the attestation recorded at issue.

Long names shrink to fit, then wrap onto a second or third line; the course's scope
statement, when the certificate has one, sits in small type above the foot, and the
objectives shrink until the space above it holds them. When even their smallest type
does not fit (a name on three lines, a long course title, many objectives), the page is
laid out again tighter (smaller title, closer spacing, objectives down to MIN_TIGHT pt),
so nothing runs into the foot and the certificate is always one page.

The foot prints the certificate's code and the address that verifies it
(`verify_address`): the app's address as it is now, not a part of what the certificate
says (that is fixed at issue), so a course that moves keeps its certificates checkable.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from quiz_app import fonts, formatting
from quiz_app.addresses import LOCAL_URL, page_address
from quiz_app.errors import QuizError
from quiz_app.records import Certificate

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 22.0
WIDTH = PAGE_W - 2 * MARGIN
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (25, 102, 120)
FOOT_RULE = 252.0  # the line above the certificate code
SCOPE_SIZE = 7.5
SCOPE_LINE = 3.3
OBJECTIVE_SIZES = (10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5)
MIN_TIGHT = 4.5  # the smallest objective type of the tight layout


class CannotPrint(QuizError):
    """A certificate has characters that no installed font can print."""


def _texts(certificate: Certificate) -> list[str]:
    """Everything the certificate prints that is not the name."""
    return [certificate.provider, certificate.course_title, certificate.code,
            *certificate.objectives, certificate.scope or "", licence_line(certificate) or "",
            details_line(certificate)]  # fmt: skip


def licence_line(certificate: Certificate) -> str | None:
    """ "Licence PT-12345 (Texas)" under the name, or None without a licence."""
    text = certificate.licence_text
    return f"Licence {text}" if text else None


def details_line(certificate: Certificate) -> str:
    """The course's certificate fields as kept at issue, in one line: the length of a
    contact hour, the delivery format, provider and approval numbers, the attestation."""
    parts = []
    if certificate.minutes_per_hour is not None:
        parts.append(f"Contact hours of {certificate.minutes_per_hour} minutes")
    if certificate.delivery_text:
        parts.append(certificate.delivery_text)
    parts.extend(f"{label} {number}" for label, number in certificate.course_numbers)
    if certificate.attestation is not None:
        parts.append(f"Attested {certificate.attested_on()}" if certificate.attested_at
                     else "Not attested")  # fmt: skip
    return " · ".join(parts)


def printing_problem(certificate: Certificate) -> str | None:
    """Why the certificate cannot be printed (characters no installed font has), or None."""
    missing = fonts.unprintable(certificate.learner_name)
    if missing:
        return (
            f"The certificate cannot print the name {certificate.learner_name!r}: no font "
            f"installed on the server has {fonts.describe(missing)}. The certificate is "
            "issued and its code verifies; ask the course provider for the PDF."
        )
    missing = fonts.unprintable(" ".join(_texts(certificate)))
    if missing:
        return (
            f"The certificate cannot print the course's text: no font installed on the "
            f"server has {fonts.describe(missing)}."
        )
    return None


def _name_family(name: str) -> str:
    """Source Sans, or Noto Sans (if installed) for a name with combining marks."""
    marked = any(unicodedata.category(c).startswith("M") for c in name)
    if marked and any(face.family == "NotoSans" for face in fonts.fallback_chain()):
        return "NotoSans"
    return "Source"


def _pdf(certificate: Certificate) -> FPDF:
    """A blank A4 document with Source Sans and the fallback fonts this certificate needs."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    source = fonts.source_faces()
    for style in ("", "B", "I"):
        pdf.add_font("Source", style, str(source[style]))
    pdf.add_font("SourceSemi", "", str(source["SEMI"]))
    text = " ".join([certificate.learner_name, *_texts(certificate)])
    needed = fonts.faces_for(text)
    if _name_family(certificate.learner_name) == "NotoSans":
        needed += [f for f in fonts.fallback_chain() if f.family == "NotoSans" and f not in needed]
    for face in needed:
        pdf.add_font(face.family, "", str(face.regular), collection_font_number=face.number)
        if face.bold is not None:
            pdf.add_font(face.family, "B", str(face.bold), collection_font_number=face.number)
    if needed:
        pdf.set_fallback_fonts([face.family for face in needed], exact_match=False)
    pdf.set_text_shaping(True)
    return pdf


def _centred(pdf: FPDF, y: float, text: str, family: str, style: str, size: float,
             colour: tuple[int, int, int] = INK, height: float | None = None) -> float:  # fmt: skip
    """Centred text starting at `y`, wrapped to the page width; returns the y below it."""
    pdf.set_font(family, style, size)
    pdf.set_text_color(*colour)
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(WIDTH, height or size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.get_y()


def _name_size(pdf: FPDF, name: str, family: str, sizes: tuple[int, ...]) -> float:
    """The largest of `sizes` at which the name fits on one line, else the smallest."""
    for size in sizes:
        pdf.set_font(family, "B", size)
        if pdf.get_string_width(name) <= WIDTH:
            return size
    return sizes[-1]


def _objective_lines(pdf: FPDF, text: str, width: float) -> int:
    return len(pdf.multi_cell(width, 4, text, align="L", dry_run=True, output="LINES"))


def _objectives(
    pdf: FPDF, y: float, bottom: float, objectives: tuple[str, ...], sizes: tuple[float, ...]
) -> bool:
    """Two columns of objectives from `y`, in the largest of `sizes` that ends above
    `bottom` (else the smallest); whether they end above it."""
    gap = 8.0
    column = (WIDTH - gap) / 2
    fits = not objectives
    for size in sizes:
        pdf.set_font("Source", "", size)
        line, spacing = size * 0.45, size * 0.12
        heights = [_objective_lines(pdf, f"• {t}", column) * line + spacing for t in objectives]
        half = sum(heights) / 2
        split, running = len(objectives), 0.0
        for index, height in enumerate(heights):
            running += height
            if running >= half:
                split = index + 1
                break
        tallest = max(sum(heights[:split]), sum(heights[split:]))
        if y + tallest <= bottom:
            fits = True
            break
    pdf.set_text_color(*INK)
    for part, x in ((objectives[:split], MARGIN), (objectives[split:], MARGIN + column + gap)):
        pdf.set_xy(x, y)
        for text in part:
            pdf.set_x(x)
            pdf.multi_cell(column, line, f"• {text}", align="L", new_x="LEFT", new_y="NEXT")
            pdf.set_y(pdf.get_y() + spacing)
    return fits


def _scope(pdf: FPDF, scope: str | None) -> float:
    """The scope statement in small type, ending just above the foot's rule; returns
    the y it starts at (the rule's when there is none)."""
    if not scope:
        return FOOT_RULE
    pdf.set_font("Source", "I", SCOPE_SIZE)
    lines = len(pdf.multi_cell(WIDTH, SCOPE_LINE, scope, dry_run=True, output="LINES"))
    top = FOOT_RULE - 3 - lines * SCOPE_LINE
    _centred(pdf, top, scope, "Source", "I", SCOPE_SIZE, MUTED, height=SCOPE_LINE)
    return top


def verify_address(base: str, code: str) -> str:
    """Where a certificate is checked: the Verify page under `base`, with its code."""
    return page_address(base, "verify", {"code": code})


def render(certificate: Certificate, base: str = LOCAL_URL) -> bytes:
    """The certificate as PDF bytes: one A4 page, its foot naming the Verify page under
    `base` (the app's address). Raises CannotPrint (saying which characters) rather
    than draw a name or text with a character missing."""
    problem = printing_problem(certificate)
    if problem:
        raise CannotPrint(problem)
    for tight in (False, True):
        pdf = _pdf(certificate)
        if _draw(pdf, certificate, verify_address(base, certificate.code), tight):
            break
    return bytes(pdf.output())


def _draw(pdf: FPDF, certificate: Certificate, address: str, tight: bool) -> bool:
    """Draw the page, tighter with `tight`; whether the objectives end above the scope
    (or the foot)."""
    pdf.set_title(f"Certificate of completion: {certificate.course_title}")
    pdf.set_author(certificate.provider)
    pdf.set_subject(f"Certificate {certificate.code}")
    pdf.set_creator("quiz-app")
    pdf.add_page()
    gap = 0.5 if tight else 1.0  # of the space between the blocks above the objectives

    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, PAGE_W - 26, PAGE_H - 26)

    y = _centred(pdf, 24, certificate.provider.upper(), "SourceSemi", "", 11, ACCENT)
    title, title_line = (24, 10.5) if tight else (30, 13)
    y = _centred(pdf, y + 8 * gap, "Certificate of Completion", "Source", "B", title,
                 height=title_line)  # fmt: skip
    y = _centred(pdf, y + 6 * gap, "This certifies that", "Source", "I", 13, MUTED)
    family = _name_family(certificate.learner_name)
    sizes = (22, 20, 18, 16, 14) if tight else (28, 26, 24, 22, 20, 18, 16)
    size = _name_size(pdf, certificate.learner_name, family, sizes)
    y = _centred(pdf, y + 4 * gap, certificate.learner_name, family, "B", size,
                 height=size * 0.48)  # fmt: skip
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN + 25, y + 2, PAGE_W - MARGIN - 25, y + 2)
    licence = licence_line(certificate)
    if licence:
        y = _centred(pdf, y + 3.5, licence, "Source", "", 10.5, MUTED, height=5)
    y = _centred(pdf, y + 3 + 3 * gap, "has completed the continuing-education course",
                 "Source", "I", 13, MUTED)  # fmt: skip
    y = _centred(pdf, y + 3 * gap, certificate.course_title, "Source", "B", 16, height=7.5)

    facts = [
        ("Completed", certificate.completed_on),
        ("Score", formatting.percent(certificate.score_pct)),
        ("Pass mark", f"{certificate.pass_mark:g}%"),
        ("Contact hours", f"{certificate.ce_hours:.1f}"),
        ("CEUs", f"{certificate.ceus:.2f}"),
    ]
    box = WIDTH / len(facts)
    top = y + 8 * gap
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN, top, WIDTH, 19)
    for index, (label, value) in enumerate(facts):
        x = MARGIN + index * box
        if index:
            pdf.line(x, top + 3, x, top + 16)
        pdf.set_xy(x, top + 3)
        pdf.set_font("Source", "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(box, 4, label, align="C")
        pdf.set_xy(x, top + 8.5)
        size = 14.0
        pdf.set_font("Source", "B", size)
        while pdf.get_string_width(value) > box - 6 and size > 9:
            size -= 0.5
            pdf.set_font("Source", "B", size)
        pdf.set_text_color(*INK)
        pdf.cell(box, 7, value, align="C")

    y = top + 19
    details = details_line(certificate)
    if details:
        y = _centred(pdf, y + 2, details, "Source", "", 8.5, MUTED, height=4)
    y += 8 * gap
    pdf.set_xy(MARGIN, y)
    pdf.set_font("SourceSemi", "", 12)
    pdf.set_text_color(*ACCENT)
    pdf.cell(WIDTH, 6, "Learning objectives", new_x="LMARGIN", new_y="NEXT")
    sizes = (*OBJECTIVE_SIZES, 5, MIN_TIGHT) if tight else OBJECTIVE_SIZES
    fits = _objectives(pdf, y + 8, _scope(pdf, certificate.scope) - 5, certificate.objectives,
                       sizes)  # fmt: skip

    pdf.set_draw_color(*MUTED)
    pdf.line(MARGIN, FOOT_RULE, PAGE_W - MARGIN, FOOT_RULE)
    _centred(pdf, 255, "Certificate code", "Source", "", 9, MUTED)
    _centred(pdf, 260, certificate.code, "Source", "B", 17, height=8)
    _centred(
        pdf,
        269,
        f"Issued by {certificate.provider}. Anyone can check this certificate, without "
        f"signing in, at {address} (the course's “Verify a certificate” page, with its code).",
        "Source",
        "",
        8.5,
        MUTED,
        height=4,
    )
    return fits
