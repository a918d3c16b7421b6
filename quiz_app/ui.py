"""Streamlit helpers shared by the pages: safe text, the cached course, question parts.

Only pages and these helpers import Streamlit; the core never does.
"""

from __future__ import annotations

import html
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st

from quiz_app.bank import Question
from quiz_app.clock import LocalTime
from quiz_app.course import Course, default_banks_dir, load_course
from quiz_app.downloads import Download
from quiz_app.errors import BankError, Problem

# How pages write numbers: the pure core's one rule of each (quiz_app/formatting.py).
from quiz_app.formatting import PERCENT_COLUMN as PERCENT_COLUMN
from quiz_app.formatting import mark_value as mark_value
from quiz_app.formatting import marks as marks
from quiz_app.formatting import percent as percent
from quiz_app.formatting import percent_value as percent_value
from quiz_app.formatting import plural as plural
from quiz_app.formatting import ratio_percent as ratio_percent

TYPE_LABELS = {
    "single": "Single answer",
    "multiple": "Multiple answers",
    "true_false": "True or false",
    "matching": "Matching",
    "ordering": "Ordering",
}


def safe(text: str) -> str:
    """Bank text as Markdown that shows HTML tags and `$` literally instead of running them."""
    return html.escape(text, quote=False).replace("$", "\\$")


# Characters that reorder the text around them (bidi embeddings, overrides, isolates
# and marks): shown as U+FFFD, like control characters, never obeyed.
_HIDDEN = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Markdown that works anywhere in a line (emphasis, code, links and images, HTML and
# entities, strikethrough, maths, escapes) and what works at its start (headings,
# lists, quotes, rules, indented code).
_ACTIVE = re.compile(r"([\\`*_\[\]<>&~#$])")
_LINE_START = re.compile(r"^( *)([-+]|\d+[.)])?")
# Streamlit turns `:smile:`, `:material/...:`, `https://...`, `www.x` and `a@b.c` into
# emoji, icons and links after the Markdown is parsed, where backslashes are gone; an
# invisible word joiner after `:` and `@`, and inside `www.`, breaks those patterns.
_LINKERS = re.compile(r"(?i)([:@](?=\S)|www(?=\.))")
WORD_JOINER = "\u2060"


def literal(text: str, markdown: bool = True) -> str:
    """What a person typed (a name, username, cohort name, a code from a URL), to show
    exactly as typed.

    With `markdown` (for st.markdown, captions, titles, messages and widget labels) the
    result is Markdown that displays `text` literally: the characters Markdown acts on
    are backslash-escaped (everywhere, or at the start where only the start counts), so
    no emphasis, link, image, HTML, `$...$` maths, list or heading is made of it, and an
    invisible word joiner keeps emoji, icon and bare-link patterns from matching. Either
    way bidirectional controls and control characters are shown as U+FFFD, so a name
    cannot reverse the sentence around it; without `markdown` (for option lists,
    dataframes, charts, file names and the PDF, which show text as it is) that is the
    only change.
    """
    shown = "".join(
        "\ufffd" if unicodedata.category(c) == "Cc" else c for c in _HIDDEN.sub("\ufffd", text)
    )
    if not markdown:
        return shown
    escaped = _LINE_START.sub(
        lambda m: "\u00a0" * len(m[1]) + (f"{m[2][:-1]}\\{m[2][-1]}" if m[2] else ""),
        _ACTIVE.sub(r"\\\1", shown),
    )
    return _LINKERS.sub(r"\1" + WORD_JOINER, escaped)


# Every page's own CSS (st.html with only a stylesheet takes no room on the page).
# Streamlit's grey for captions and quotations (#828180 on white: 3.9:1) is too faint
# for text (WCAG 1.4.3 asks 4.5:1): the text colour of the page at 80% opacity keeps
# them subdued at about 6:1, in the light theme and the dark one alike. A selected
# pill's label is drawn in the primary colour on its tint (4.47:1): the page's text
# colour instead, the tint and border still showing that it is selected. The question
# palette's words for assistive tech are hidden from sight (views/quiz.py, `palette`).
# An ordering question's place boxes have no "Clear value" button: it was a tab stop
# between two boxes that wiped the place on Enter, and a place is changed, never
# taken away (widgets.answer_input swaps places).
PAGE_CSS = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"] blockquote {
  color: inherit; opacity: 0.8; }
[class*="st-key-palette-"] em { position: absolute; width: 1px; height: 1px; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[class*="st-key-"][class*="-place-"] [aria-label="Clear value"] { display: none; }
h2.quiz-question { font-size: 1.1rem; padding: 0; margin: 0 0 0.25rem; }
[data-testid="stButtonGroup"] button[data-selected="true"],
[data-testid="stButtonGroup"] button[data-selected="true"] * { color: inherit !important; }
</style>
"""


def page_style() -> None:
    """The app's own CSS, for every page (see PAGE_CSS)."""
    st.html(PAGE_CSS)


# Streamlit closes the sidebar after a page is chosen only in browsers that say they
# are a phone (their user agent): on any narrow screen, close it once the page shows.
# Its breakpoint for the sidebar as an overlay is 768 px.
_CLOSE_SIDEBAR_JS = """
setTimeout(() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if (window.matchMedia("(max-width: 768px)").matches && bar?.dataset.collapsed === "false") {
    document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
  }
});
"""


def close_sidebar_on_narrow_screens() -> None:
    """Close the sidebar, if it is open over a narrow screen (after choosing a page)."""
    with st.sidebar:
        st.html(f"<script>{_CLOSE_SIDEBAR_JS}</script>", unsafe_allow_javascript=True)


RELOAD_CHECK_S = 2.0
NO_COURSE = (
    "The course is not available: its question banks have errors. The course administrator "
    "can list them with `quiz-app validate`."
)


@dataclass(frozen=True)
class _Loaded:
    """What one look at a bank folder found (immutable, so shared between sessions)."""

    checked: float  # time.monotonic() of the look
    stamp: tuple[tuple[str, float], ...]  # each bank file's name and modification time
    course: Course | None  # the last valid course, None when none was ever valid
    problems: tuple[Problem, ...]  # why the files as they are now are invalid; () if valid


_courses: dict[Path, _Loaded] = {}
_courses_lock = threading.Lock()


def _stamp(folder: Path) -> tuple[tuple[str, float], ...]:
    found = []
    for path in folder.glob("*.y*ml"):
        try:
            found.append((path.name, path.stat().st_mtime))
        except FileNotFoundError:  # an editor replacing the file as we look
            continue
    return tuple(sorted(found))


def _loaded() -> _Loaded:
    """The bank folder as last looked at, looking again (and reloading the course if a
    file changed) at most every RELOAD_CHECK_S seconds."""
    folder = default_banks_dir()
    now = time.monotonic()
    cached = _courses.get(folder)
    if cached is not None and now - cached.checked < RELOAD_CHECK_S:
        return cached
    stamp = _stamp(folder)
    with _courses_lock:
        cached = _courses.get(folder)
        if cached is not None and cached.stamp == stamp:
            loaded = replace(cached, checked=now)
        else:
            try:
                loaded = _Loaded(now, stamp, load_course(folder), ())
            except BankError as exc:
                last = cached.course if cached is not None else None
                loaded = _Loaded(now, stamp, last, tuple(exc.problems))
        _courses[folder] = loaded
        return loaded


def course() -> Course:
    """The course being served: the banks as last loaded while valid.

    Bank files are checked for changes at most every RELOAD_CHECK_S seconds and the
    course reloaded when one changed, so an author's edit shows up without a restart;
    an edit that makes them invalid leaves the last valid course in place (instructors
    are told why, by `show_bank_status`). Raises BankError when the banks have not been
    valid since the process started.
    """
    loaded = _loaded()
    if loaded.course is None:
        raise BankError(list(loaded.problems))
    return loaded.course


def local_time() -> LocalTime:
    """The course's time zone, or UTC while the banks have not been valid since the
    process started (people can still sign in then, and be told the course is missing)."""
    loaded = _loaded()
    return loaded.course.local_time if loaded.course is not None else LocalTime()


def show_bank_status(instructor: bool) -> bool:
    """Say what is wrong with the bank files, if anything; True when a course is served.

    With no valid course yet, everyone gets the plain NO_COURSE message. Instructors also
    get each problem as a FILE:LINE line of plain text, behind a warning when the last
    valid course is still served; learners are told nothing of an edit that failed.
    """
    loaded = _loaded()
    if loaded.course is None:
        st.error(NO_COURSE, icon=":material/error:")
    if instructor and loaded.problems:
        if loaded.course is not None:
            st.warning(
                "The question banks have errors since their last edit, so the app still "
                "serves the course as it was before it. Learners are not told.",
                icon=":material/warning:",
            )
        with st.expander(f"{plural(len(loaded.problems), 'problem')} in the question banks"):
            st.code("\n".join(str(p) for p in loaded.problems), language=None, wrap_lines=True)
    return loaded.course is not None


RIGHT = ":green[:material/check_circle:]"
WRONG = ":red[:material/cancel:]"
NEUTRAL = ":gray[:material/radio_button_unchecked:]"


def answer_markdown(question: Question, with_feedback: bool = True) -> str:
    """The correct answer as a Markdown list, whatever the question type.

    Choice questions list every choice, the right ones marked, each with its feedback
    nested beneath when `with_feedback` is set.
    """
    if question.type in ("single", "multiple"):
        lines = []
        for choice in question.choices:
            mark = RIGHT if choice.correct else NEUTRAL
            lines.append(f"- {mark} {safe(choice.text)}")
            if with_feedback and choice.feedback:
                lines.append(f"    - *{safe(choice.feedback)}*")
        return "\n".join(lines)
    if question.type == "true_false":
        return f"- {RIGHT} **{'True' if question.answer else 'False'}**"
    if question.type == "matching":
        return "\n".join(
            [
                f"- {safe(left)} :material/arrow_forward: **{safe(right)}**"
                for left, right in question.pairs
            ]
            + [f"- *matches nothing:* {safe(spare)}" for spare in question.spares]
        )
    return "\n".join(f"{i}. {safe(item)}" for i, item in enumerate(question.items, start=1))


def show_sources(question: Question, course: Course) -> None:
    """Each cited passage as a quotation with its document's label (the name stems use),
    title and author."""
    for ref in question.sources:
        doc = course.sources.get(ref.doc)
        named = safe(ref.doc) if doc is None else f"**{safe(doc.label)}**: *{safe(doc.title)}*"
        byline = f", {safe(doc.author)}" if doc and doc.author else ""
        st.markdown(f"> {safe(ref.quote)}\n>\n> — {named}{byline}")


def flash(message: str, kind: str = "info") -> None:
    """Keep a message to show at the top of the next page run (survives st.rerun)."""
    st.session_state["flash"] = (kind, message)


def show_flash() -> None:
    """Show, once, a message kept by `flash`."""
    kept = st.session_state.pop("flash", None)
    if kept is None:
        return
    kind, message = kept if isinstance(kept, tuple) else ("warning", kept)
    {"success": st.success, "warning": st.warning, "error": st.error}.get(kind, st.info)(message)


def minutes(seconds: float) -> str:
    """A duration as m:ss."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def stem_start(stem: str, limit: int = 80) -> str:
    """The start of a question's stem on one line, to tell questions apart in a list:
    whitespace runs made one space, and when longer than `limit` characters, cut at a
    word with "…" (still bank text: pass it through `safe`)."""
    line = " ".join(stem.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def remembered_choice(label: str, names: dict[Any, str], memory: str, key: str) -> Any:
    """A selectbox over `names` (value -> label) whose choice is remembered across pages
    in st.session_state[memory]; the first value when nothing valid is remembered."""
    values = list(names)
    remembered = st.session_state.get(memory)
    chosen = st.selectbox(
        label,
        values,
        index=values.index(remembered) if remembered in names else 0,
        format_func=names.get,
        key=key,
    )
    st.session_state[memory] = chosen
    return chosen


def csv_download(label: str, download: Download, key: str) -> None:
    """A button that downloads an export as spreadsheet-safe CSV from the server's
    download route (quiz_app/downloads.py), which streams it: nothing is built in the
    page, and nothing is held in the server's memory; beside it, the same file for
    Excel (marked as UTF-8, so accented names open right on a double-click)."""
    with st.container(horizontal=True):
        st.link_button(label, download.url, icon=":material/download:", key=key)
        st.link_button(
            "For Excel",
            replace(download, excel=True).url,
            icon=":material/table_view:",
            key=f"{key}-excel",
            help="The same CSV, marked as UTF-8 so that Excel shows accented names right "
            "when the file is opened with a double-click.",
        )
