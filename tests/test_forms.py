"""Forms: reserved questions only on the post-test, enemies never on one form, and the
validator proves a blueprint can be filled (issue 11: the draw and the secure pool)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest

from quiz_app.bank import SingleQuestion, enemy_map
from quiz_app.course import Course, load_course
from quiz_app.forms import fill_blueprint
from quiz_app.progress import Answered, weak_spots
from quiz_app.quiz import NotEnoughQuestions, draw
from quiz_app.validate import validate_paths
from tests.conftest import SOURCES_YAML, write


def question(qid: str, *, reserved: bool = False, excludes: tuple[str, ...] = ()) -> str:
    extra = "    reserved: true\n" if reserved else ""
    if excludes:
        extra += f"    excludes: [{', '.join(excludes)}]\n"
    return f"""\
  - id: {qid}
    type: single
    objective: obj-a
    level: recall
{extra}    stem: Which one is {qid}?
    choices:
      - {{text: Alpha, correct: true}}
      - {{text: Beta}}
      - {{text: Gamma}}
    explanation: Because.
    sources: [{{doc: doc, quote: quick brown fox}}]
"""


def bank(topic: str, questions: list[str]) -> str:
    return (
        f"topic: {topic}\ntitle: Topic {topic}\nobjectives:\n  obj-a: Identify things.\n"
        "questions:\n" + "".join(questions)
    )


def quizzes(blueprint: dict[str, int], practice: str = "red") -> str:
    counts = ", ".join(f"{t}: {n}" for t, n in blueprint.items())
    return f"""\
course:
  title: Demo course
  provider: Demo provider
quizzes:
  - id: practice-{practice}
    title: Practice
    mode: practice
    topics: [{practice}]
    questions: 5
  - id: post-test
    title: Post-test
    mode: post_test
    blueprint: {{{counts}}}
    pass_mark: 80
    time_limit_minutes: 30
    attempts_allowed: 3
    ce_hours: 1.0
"""


# Two topics. Red: r1..r8 reserved (r1-r2, r3-r4 enemies; r5 excludes blue b1),
# r9..r14 practice. Blue: b1..b4 reserved, b5..b8 practice (b5-b6 enemies).
RED = [
    question("r1", reserved=True, excludes=("r2",)),
    question("r2", reserved=True),
    question("r3", reserved=True),
    question("r4", reserved=True, excludes=("r3",)),
    question("r5", reserved=True, excludes=("b1",)),
    *(question(f"r{i}", reserved=True) for i in (6, 7, 8)),
    *(question(f"r{i}") for i in range(9, 15)),
]
BLUE = [
    *(question(f"b{i}", reserved=True) for i in (1, 2, 3, 4)),
    question("b5", excludes=("b6",)),
    *(question(f"b{i}") for i in (6, 7, 8)),
]


@pytest.fixture
def forms_course(tmp_path: Path, sources_dir: Path) -> Course:
    folder = tmp_path / "forms"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    write(folder, "red.yaml", bank("red", RED))
    write(folder, "blue.yaml", bank("blue", BLUE))
    write(folder, "quizzes.yaml", quizzes({"red": 5, "blue": 3}))
    return load_course(folder)


def test_enemies_are_symmetric() -> None:
    course_questions = [
        SingleQuestion.model_validate(
            {
                "id": qid,
                "type": "single",
                "objective": "o",
                "level": "recall",
                "stem": "s",
                "choices": [{"text": "a", "correct": True}, {"text": "b"}, {"text": "c"}],
                "explanation": "e",
                "sources": [{"doc": "d", "quote": "q"}],
                "excludes": list(ex),
            }
        )
        for qid, ex in (("a", ("b",)), ("b", ()), ("c", ("a", "b")))
    ]
    assert enemy_map(course_questions) == {
        "a": frozenset({"b", "c"}),
        "b": frozenset({"a", "c"}),
        "c": frozenset({"a", "b"}),
    }


def test_post_test_forms_hold_only_reserved_questions_and_never_two_enemies(
    forms_course: Course,
) -> None:
    post_test = forms_course.post_test
    assert post_test is not None
    enemies = forms_course.enemies
    seen: set[str] = set()
    for seed in range(2_000):
        ids = [slot.question_id for slot in draw(post_test, forms_course, seed)]
        assert len(ids) == len(set(ids)) == 8
        assert all(forms_course.question(i).reserved for i in ids), ids
        assert sum(forms_course.topic_of(i) == "red" for i in ids) == 5
        for a, b in itertools.combinations(ids, 2):
            assert b not in enemies.get(a, ()), (seed, a, b)
        seen.update(ids)
    # Every reserved question turns up on some form: the search does not starve any.
    assert seen == {f"r{i}" for i in range(1, 9)} | {f"b{i}" for i in range(1, 5)}


def test_the_same_seed_draws_the_same_form(forms_course: Course) -> None:
    post_test = forms_course.post_test
    assert post_test is not None
    assert draw(post_test, forms_course, 42) == draw(post_test, forms_course, 42)


@pytest.mark.parametrize("length", [3, 5, 10])
def test_practice_never_draws_a_reserved_question(forms_course: Course, length: int) -> None:
    for quiz in [
        forms_course.quiz("practice-red"),
        forms_course.practice_quiz(["red", "blue"], length),
        forms_course.practice_quiz(["blue"], length),
        forms_course.weak_spots_quiz(length),
    ]:
        for seed in range(300):
            slots = draw(quiz, forms_course, seed, length=length)
            assert not any(forms_course.question(s.question_id).reserved for s in slots)


def test_practice_keeps_enemies_apart_while_the_pool_allows(forms_course: Course) -> None:
    quiz = forms_course.practice_quiz(["blue"], 3)
    for seed in range(300):
        ids = {s.question_id for s in draw(quiz, forms_course, seed, length=3)}
        assert not {"b5", "b6"} <= ids
    # Asked for every practice question of blue, it gets all four, enemies included.
    everything = {s.question_id for s in draw(quiz, forms_course, 1, length=4)}
    assert everything == {"b5", "b6", "b7", "b8"}


def test_weak_spots_leave_reserved_questions_out(forms_course: Course) -> None:
    answers = [
        Answered(question_id=qid, mark=Fraction(0), answered_at=f"2026-12-0{i + 1}T10:00:00")
        for i, qid in enumerate(["r1", "r9", "r10"])
    ]
    assert weak_spots(answers, forms_course) == ["r10", "r9"]
    pool = weak_spots(answers, forms_course)
    quiz = forms_course.weak_spots_quiz(len(pool))
    slots = draw(quiz, forms_course, 3, pool=pool)
    assert {s.question_id for s in slots} == {"r9", "r10"}


def test_a_post_test_may_draw_from_every_question_when_it_says_so(
    tmp_path: Path, sources_dir: Path
) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    write(folder, "red.yaml", bank("red", [question(f"o{i}") for i in range(4)]))
    write(folder, "quizzes.yaml", quizzes({"red": 4}) + "    reserved_only: false\n")
    course = load_course(folder)
    assert course.post_test is not None
    assert {s.question_id for s in draw(course.post_test, course, 0)} == {f"o{i}" for i in range(4)}


def test_validator_refuses_a_blueprint_that_enemies_make_impossible(
    tmp_path: Path, sources_dir: Path
) -> None:
    folder = tmp_path / "tight"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    # Three reserved questions, the first the enemy of both others: no form of 2... except
    # the two others together, so ask for 3.
    questions = [
        question("t1", reserved=True, excludes=("t2", "t3")),
        question("t2", reserved=True),
        question("t3", reserved=True),
        question("t4"),
    ]
    write(folder, "red.yaml", bank("red", questions))
    write(folder, "quizzes.yaml", quizzes({"red": 3}))
    report = validate_paths([folder])
    assert [p.message for p in report.problems] == [
        "quiz post-test: blueprint: no form can be drawn: the questions' exclusions (excludes) "
        "leave too few questions that are not each other's enemies; remove an exclusion or "
        "reserve more questions"
    ]
    # Two of them can be drawn (t2 and t3), so a blueprint of 2 is valid.
    write(folder, "quizzes.yaml", quizzes({"red": 2}))
    assert validate_paths([folder]).ok


def test_validator_counts_reserved_questions_per_topic(tmp_path: Path, sources_dir: Path) -> None:
    folder = tmp_path / "few"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    write(folder, "red.yaml", bank("red", [question("f1", reserved=True), question("f2")]))
    write(folder, "quizzes.yaml", quizzes({"red": 2}))
    report = validate_paths([folder])
    assert [str(p) for p in report.problems] == [
        f"{folder / 'quizzes.yaml'}:13: quiz post-test: blueprint.red: asks for 2 questions "
        "but 1 of the bank's questions are reserved for the post-test (reserved: true)"
    ]


@pytest.mark.parametrize(
    ("excludes", "message"),
    [
        (("nobody",), 'question x1: excludes[0]: "nobody" is no question\'s id'),
        (("x1",), "question x1: excludes[0]: a question cannot exclude itself"),
        (("x2", "x2"), 'question x1: excludes[1]: "x2" appears twice'),
    ],
    ids=["unknown-id", "itself", "twice"],
)
def test_validator_checks_excludes(
    tmp_path: Path, sources_dir: Path, excludes: tuple[str, ...], message: str
) -> None:
    folder = tmp_path / "ex"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    write(folder, "red.yaml", bank("red", [question("x1", excludes=excludes), question("x2")]))
    report = validate_paths([folder])
    assert [p.message for p in report.problems] == [message]
    assert report.problems[0].line == 10  # the excludes line


def test_fill_blueprint_is_exact_on_random_graphs() -> None:
    """Against brute force: a form exists exactly when the search finds one, and what it
    finds is a form."""
    rng = random.Random(5)
    for _ in range(300):
        questions = [SingleQuestion.model_construct(id=f"g{i}", excludes=()) for i in range(7)]
        topics = {"a": questions[:4], "b": questions[4:]}
        enemies: dict[str, set[str]] = {}
        for x, y in itertools.combinations(range(7), 2):
            if rng.random() < 0.35:
                enemies.setdefault(f"g{x}", set()).add(f"g{y}")
                enemies.setdefault(f"g{y}", set()).add(f"g{x}")
        frozen = {k: frozenset(v) for k, v in enemies.items()}
        blueprint = {"a": rng.randint(1, 3), "b": rng.randint(1, 2)}

        def ok(form: tuple[str, ...], frozen: dict[str, frozenset[str]] = frozen) -> bool:
            return all(y not in frozen.get(x, ()) for x, y in itertools.combinations(form, 2))

        exists = any(
            ok(tuple(q.id for q in left + right))
            for left in itertools.combinations(topics["a"], blueprint["a"])
            for right in itertools.combinations(topics["b"], blueprint["b"])
        )
        found = fill_blueprint(blueprint, topics, frozen, random.Random(rng.random()))
        assert (found is not None) == exists
        if found is not None:
            assert ok(tuple(q.id for q in found)) and len(found) == sum(blueprint.values())


def test_an_unfillable_draw_says_so(forms_course: Course) -> None:
    post_test = forms_course.post_test
    assert post_test is not None
    greedy = post_test.model_copy(update={"blueprint": {"red": 8, "blue": 4}})
    with pytest.raises(NotEnoughQuestions, match="cannot fill its blueprint"):
        draw(greedy, forms_course, 0)
