"""Rebuild the README's screenshots: a demo cohort, served and driven in chromium.

    python docs/screenshots.py        # writes docs/images/*.png (needs Debian's chromium)

Run it after a change to a page the README shows. The images are small palette PNGs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quiz_app.accounts import Accounts  # noqa: E402
from quiz_app.certificate_pdf import render  # noqa: E402
from quiz_app.certificates import Certificates  # noqa: E402
from quiz_app.course import load_course  # noqa: E402
from quiz_app.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, generate  # noqa: E402
from quiz_app.scoring import correct_answer  # noqa: E402
from quiz_app.store import Store  # noqa: E402
from tests.browser import chromium_page, served, type_into  # noqa: E402
from tests.test_browser_learner import answer_in_browser  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def save(page, name: str, full_page: bool = True) -> None:
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=128).save(path, optimize=True)
    print(f"wrote {path.relative_to(ROOT)}")


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    panel = page.get_by_role("tabpanel", name="Sign in")
    type_into(panel.get_by_role("textbox", name="Username"), username)
    type_into(panel.get_by_role("textbox", name="Password"), password)
    panel.get_by_role("button", name="Sign in").click()


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def certificate_png(store: Store, course) -> None:
    """The demo's first certificate, rendered to PDF and then to PNG by pdftoppm."""
    if shutil.which("pdftoppm") is None:
        print("skipped docs/images/certificate.png: install poppler-utils for pdftoppm")
        return
    row = store.first("SELECT attempt_id FROM certificates ORDER BY completed_at LIMIT 1")
    certificate = Certificates(store, course).issue(row["attempt_id"])
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "certificate.pdf"
        pdf.write_bytes(render(certificate))
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf),
                        str(IMAGES / "certificate")], check=True)  # fmt: skip
    path = IMAGES / "certificate.png"
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=64).save(path, optimize=True)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    course = load_course()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        store = Store(db)
        summary = generate(store, course, learners=1000, attempts=20, seed=1)
        certificate_png(store, course)
        learner = Accounts(store).sign_up("ana", "Ana Lima", "password123")
        Accounts(store).join(learner, summary.cohort_code)
        with served(db) as url:
            with chromium_page(1200, 900) as page:
                sign_in(page, url, "ana", "password123")
                page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()
                page.get_by_role("button", name="Start practice").click()
                page.locator('[data-testid="stForm"]').wait_for()
                attempt = store.open_attempts(learner.id)[0]
                first = json.loads(attempt["slots"])[0]["id"]
                question = course.question(first)
                answer_in_browser(
                    page, attempt["id"], question, correct_answer(question), "Check answer"
                )
                page.get_by_text("Correct.").wait_for()
                page.wait_for_timeout(800)
                save(page, "learner-practice")
                nav(page, "Start")
                page.get_by_role("button", name="Start the post-test").click()
                page.get_by_role("button", name="Begin the post-test").click()  # after its rules
                page.get_by_text("Time left").wait_for()
                page.wait_for_timeout(800)
                save(page, "learner-post-test")
                page.set_viewport_size({"width": 390, "height": 844})  # a phone
                page.wait_for_timeout(1200)
                save(page, "learner-post-test-phone", full_page=False)  # as the phone shows it
            busy = store.first(
                "SELECT u.username FROM users u JOIN attempts a ON a.user_id = u.id"
                " WHERE u.role = 'learner' GROUP BY u.id HAVING count(*) >= 10"
                " ORDER BY u.username LIMIT 1"
            )
            with chromium_page(1200, 900) as page:
                sign_in(page, url, busy["username"], DEMO_PASSWORD)
                page.get_by_role("heading", name="Welcome").wait_for()
                nav(page, "My progress")
                page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
                page.wait_for_timeout(1500)
                save(page, "learner-progress")
            with chromium_page(1400, 1000) as page:
                sign_in(page, url, DEMO_INSTRUCTOR, DEMO_PASSWORD)
                page.get_by_role("heading", name="Cohort dashboard").wait_for()
                page.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for()
                page.wait_for_timeout(2000)
                save(page, "instructor-dashboard")
                nav(page, "Item analysis")
                page.get_by_test_id("stMetric").filter(has_text="Cronbach's alpha").wait_for()
                page.get_by_text("Only questions worth reviewing").click()
                page.wait_for_timeout(2000)
                save(page, "instructor-items")


if __name__ == "__main__":
    main()
