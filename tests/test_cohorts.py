"""Cohorts: joining (once, before the end date, never an archived one), sign-up with a
join code checked before the account exists, renaming and archiving, and the Cohorts
page's form and confirmations (issue 13)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from quiz_app.accounts import INSTRUCTOR, Accounts, AlreadyJoined, BadJoinCode, User
from quiz_app.clock import LocalTime, ManualClock, iso
from quiz_app.store import Store
from quiz_app.testing import open_app, texts

pytestmark = pytest.mark.usefixtures("env")


@pytest.fixture
def teacher(accounts: Accounts) -> User:
    return accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)


def test_joining_twice_says_already_in(accounts: Accounts, teacher: User, learner: User) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn")
    accounts.join(learner, cohort["join_code"])
    with pytest.raises(AlreadyJoined, match=r"^You are already in Autumn\.$"):
        accounts.join(learner, cohort["join_code"])
    assert len(accounts.cohorts_joined(learner)) == 1


def test_a_cohort_past_its_end_date_takes_nobody(
    accounts: Accounts, teacher: User, learner: User, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    ended = accounts.create_cohort(teacher, "Winter", None, date(2026, 11, 20))
    with pytest.raises(BadJoinCode, match="Winter ended on 20 November 2026"):
        accounts.join(learner, ended["join_code"])
    last_day = accounts.create_cohort(teacher, "Spring", None, date(2026, 11, 21))
    assert accounts.join(learner, last_day["join_code"])["id"] == last_day["id"]


def test_the_end_date_is_a_day_of_the_course_time_zone(
    store: Store, clock: ManualClock, teacher: User, learner: User
) -> None:
    clock.set(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))  # 22 November in Auckland
    auckland = Accounts(store, clock, LocalTime("Pacific/Auckland"))
    cohort = auckland.create_cohort(teacher, "Kiwi", None, date(2026, 11, 21))
    with pytest.raises(BadJoinCode, match="ended"):
        auckland.join(learner, cohort["join_code"])


def test_the_insert_itself_refuses_a_cohort_closed_meanwhile(
    accounts: Accounts, store: Store, teacher: User, learner: User
) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn", None, date(2026, 12, 31))
    accounts.archive_cohort(teacher, cohort["id"])
    assert store.join_cohort(cohort["id"], learner.id, "2026-11-21T09:00:00Z", "2026-11-21") == (
        "archived"
    )
    accounts.archive_cohort(teacher, cohort["id"], archived=False)
    assert store.join_cohort(cohort["id"], learner.id, "2027-01-02T09:00:00Z", "2027-01-01") == (
        "ended"
    )
    assert not store.members(cohort["id"])


def test_rename_and_archive(accounts: Accounts, store: Store, teacher: User, learner: User) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn")
    accounts.join(learner, cohort["join_code"])
    before = store.report_version(cohort["id"])
    assert accounts.rename_cohort(teacher, cohort["id"], "  Autumn 2026 ")["name"] == "Autumn 2026"
    assert store.report_version(cohort["id"]) > before  # reports show the new name
    accounts.archive_cohort(teacher, cohort["id"])
    assert store.cohort(cohort["id"])["archived_at"] == iso(accounts.clock.now())
    assert [m["id"] for m in store.members(cohort["id"])] == [learner.id]  # members stay
    other = accounts.sign_up("bob", "Bob", "password123")
    with pytest.raises(BadJoinCode, match="Autumn 2026 is archived"):
        accounts.join(other, cohort["join_code"])
    accounts.archive_cohort(teacher, cohort["id"], archived=False)
    assert accounts.join(other, cohort["join_code"])["id"] == cohort["id"]
    someone = accounts.sign_up("someone", "S", "someone-pass", INSTRUCTOR)
    with pytest.raises(Exception, match="not yours"):
        accounts.rename_cohort(someone, cohort["id"], "Mine")


def test_joining_again_on_the_page_says_already_in(
    accounts: Accounts, teacher: User, learner: User
) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn cohort")
    accounts.join(learner, cohort["join_code"])
    at = open_app(learner, "views/my_cohorts.py")
    at.text_input(key="join-code").input(cohort["join_code"])
    at.button(key="FormSubmitter:join-Join cohort").click().run()
    assert [i.value for i in at.info] == ["You are already in Autumn cohort."]
    assert "You joined" not in texts(at)


def fill_sign_up(at, code: str) -> None:
    at.text_input(key="signup-username").input("newbie")
    at.text_input(key="signup-name").input("New Bie")
    at.text_input(key="signup-password").input("password123")
    at.text_input(key="signup-repeat").input("password123")
    at.text_input(key="signup-code").input(code)
    at.button(key="FormSubmitter:sign-up-Create account").click().run()


def test_a_wrong_join_code_refuses_the_sign_up_and_keeps_the_form(
    accounts: Accounts, store: Store, teacher: User
) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn cohort")
    at = open_app()
    fill_sign_up(at, "WRONG123")
    assert 'No cohort has the join code "WRONG123"' in at.error[0].value
    assert at.error[0].value.endswith("or leave it empty to join later under My cohorts.")
    assert "session" not in at.session_state
    assert store.user_by_username("newbie") is None  # no account yet
    assert at.text_input(key="signup-username").value == "newbie"
    assert at.text_input(key="signup-name").value == "New Bie"
    assert at.text_input(key="signup-code").value == "WRONG123"
    at.text_input(key="signup-code").input(cohort["join_code"])
    at.button(key="FormSubmitter:sign-up-Create account").click().run()
    assert "session" in at.session_state
    user = store.user_by_username("newbie")
    assert [m["id"] for m in store.members(cohort["id"])] == [user["id"]]


def test_the_new_cohort_form_keeps_what_was_typed_after_an_error(teacher: User) -> None:
    at = open_app(teacher, "views/cohorts.py")
    at.text_input(key="cohort-name").input("Backwards")
    at.date_input(key="cohort-starts").set_value(date(2027, 5, 1))
    at.date_input(key="cohort-ends").set_value(date(2027, 1, 1))
    at.button(key="FormSubmitter:new-cohort-Create cohort").click().run()
    assert at.error[0].value == "A cohort cannot end before it starts."
    assert at.text_input(key="cohort-name").value == "Backwards"
    assert at.date_input(key="cohort-starts").value == date(2027, 5, 1)
    at.date_input(key="cohort-ends").set_value(date(2027, 6, 1))
    at.button(key="FormSubmitter:new-cohort-Create cohort").click().run()
    assert "Backwards is ready" in at.success[0].value
    assert at.text_input(key="cohort-name").value == ""  # emptied for the next one


def test_new_join_code_asks_first(accounts: Accounts, store: Store, teacher: User) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn")
    at = open_app(teacher, "views/cohorts.py")
    at.button(key=f"rotate-{cohort['id']}").click().run()
    assert store.cohort(cohort["id"])["join_code"] == cohort["join_code"]  # not yet
    assert "stops working at once" in at.warning[0].value
    at.button(key=f"rotate-no-{cohort['id']}").click().run()
    assert not at.warning and store.cohort(cohort["id"])["join_code"] == cohort["join_code"]
    at.button(key=f"rotate-{cohort['id']}").click().run()
    at.button(key=f"rotate-yes-{cohort['id']}").click().run()
    assert store.cohort(cohort["id"])["join_code"] != cohort["join_code"]


def test_rename_and_archive_on_the_page(accounts: Accounts, store: Store, teacher: User) -> None:
    cohort = accounts.create_cohort(teacher, "Autumn")
    at = open_app(teacher, "views/cohorts.py")
    at.text_input(key=f"rename-{cohort['id']}").input("Autumn 2026")
    at.button(key=f"FormSubmitter:rename-form-{cohort['id']}-Rename").click().run()
    assert at.success[0].value == "Renamed to Autumn 2026."
    assert store.cohort(cohort["id"])["name"] == "Autumn 2026"
    at.text_input(key=f"rename-{cohort['id']}").input("   ")
    at.button(key=f"FormSubmitter:rename-form-{cohort['id']}-Rename").click().run()
    assert "Enter a cohort name" in at.error[0].value
    at.button(key=f"archive-{cohort['id']}").click().run()
    assert "is archived" in at.success[0].value
    assert "**Autumn 2026**" not in texts(at)  # hidden from the default list
    assert "1 archived cohort not shown." in [c.value for c in at.caption]
    at.toggle(key="cohorts-archived").set_value(True).run()
    assert "**Autumn 2026**" in texts(at)
    at.button(key=f"archive-{cohort['id']}").click().run()
    assert store.cohort(cohort["id"])["archived_at"] is None


def test_an_archived_cohort_keeps_its_reports(cohort_world) -> None:
    teacher, cohort = cohort_world["teacher"], cohort_world["cohort"]
    cohort_world["accounts"].archive_cohort(teacher, cohort["id"])
    at = open_app(teacher, "views/dashboard.py")
    assert not at.exception
    assert at.selectbox(key="cohort-dashboard").options == [f"{cohort['name']} (archived)"]
    assert next(m.value for m in at.metric if m.label == "Enrolled") == "5"
