"""One vocabulary: every closed list of values lives in trainer/vocabulary.py, with its labels,
and the models, forms, course parser and templates derive from it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from trainer import content, vocabulary
from trainer.vocabulary import AssignmentState, CertificateState, Language, ModuleState, Role, Sector, Term

TERMS = [term for term in vars(vocabulary).values()
         if isinstance(term, type) and issubclass(term, Term) and term is not Term]


def test_every_value_of_every_list_has_a_label():
    assert len(TERMS) >= 9
    for term in TERMS:
        for member in term:
            assert str(member.label), member


def test_a_member_is_its_stored_string():
    assert Sector.HEALTH == "health" and f"{ModuleState.IN_PROGRESS}" == "in-progress"
    assert Role.values() == ("learner", "trainer", "author", "reviewer", "admin")
    assert Sector.label_of("no-such-sector") == "no-such-sector" and Sector.label_of(None) == ""


@pytest.mark.parametrize("locale, health, overdue", [("en", "Health care", "overdue"),
                                                      ("nl", "Gezondheidszorg", "te laat")])
def test_labels_are_shown_in_the_readers_language(app, locale, health, overdue):
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert str(Sector.HEALTH.label) == health
        assert str(AssignmentState.OVERDUE.label) == overdue
        assert dict(Language.choices()) == {"en": "English", "nl": "Nederlands"}  # each in its own language


def test_the_model_constraints_list_the_vocabulary(app):
    from trainer.models import ModuleProgress, User, UserRole

    def check(model) -> str:
        return " ".join(str(c.sqltext) for c in model.__table__.constraints if isinstance(c, sa.CheckConstraint))

    assert check(User) == "sector IN ('health', 'police', 'counselling', 'community')"
    assert check(UserRole) == "role IN ('learner', 'trainer', 'author', 'reviewer', 'admin')"
    assert check(ModuleProgress) == "state IN ('not-started', 'in-progress', 'completed')"


def test_forms_the_parser_and_the_certificate_use_the_same_lists(app):
    from trainer.admin.forms import UserSearchForm
    from trainer.auth.forms import ProfileForm
    from trainer.authoring.forms import NewCourseForm
    from trainer.services.certificates import SECTOR_NAMES

    with app.test_request_context():
        profile, search = ProfileForm(meta={"csrf": False}), UserSearchForm()
        course = NewCourseForm(meta={"csrf": False})
        assert [c.value for c in profile.sector.choices] == list(Sector.values())
        assert [c.value for c in profile.locale.choices] == list(Language.values())
        assert [c.value for c in course.language.choices] == list(Language.values())
        assert [c.value for c in search.role.choices] == ["", *Role.values()]
    assert Sector.values() == content.spec.SECTORS and Language.values() == content.spec.LANGUAGES
    assert set(SECTOR_NAMES) == set(Sector.values()) and SECTOR_NAMES["community"] == "Community"
    assert CertificateState.WITHDRAWN in CertificateState
