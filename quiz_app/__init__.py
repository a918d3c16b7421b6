"""Dry-needling continuing-education quiz platform."""

from quiz_app.bank import Bank, Question, SourceDoc
from quiz_app.course import Course, load_course
from quiz_app.errors import BankError, Problem, QuizError
from quiz_app.validate import Report, validate_paths

__all__ = [
    "Bank",
    "BankError",
    "Course",
    "Problem",
    "Question",
    "QuizError",
    "Report",
    "SourceDoc",
    "load_course",
    "validate_paths",
]
