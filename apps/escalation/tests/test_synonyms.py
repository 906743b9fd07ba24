"""A company's own wording for the same matter (R-M3-04, Appendix B #7): staff add synonyms in the
admin and same-complaint detection uses them, only inside that company (and project)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.escalation import queries, similarity
from apps.escalation.models import SimilaritySynonym
from apps.escalation.tests.conftest import household
from linli.clock import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
A, B = "4栋的梯子不动了", "4栋电梯停运"


def test_apply_synonyms_longest_variant_first_and_noop_without_table() -> None:
    assert similarity.apply_synonyms(A, None) == A
    assert similarity.apply_synonyms("北梯不动了", {"梯": "电梯", "北梯": "电梯", "不动": "坏"}) == "电梯坏了"


def test_r_m3_04_company_synonym_turns_a_missed_paraphrase_into_a_candidate(cast, complaint) -> None:
    h1, h2 = household(cast, "4栋", "101"), household(cast, "4栋", "202")
    first = complaint(B, T0, household=h1)
    second = complaint(A, T0 + dt.timedelta(days=1), household=h2)
    assert queries.candidates_for(second, now=T0 + dt.timedelta(days=1)) == []  # built-in table misses it
    SimilaritySynonym.objects.create(company=cast.company, variant="梯子", canonical="电梯")
    SimilaritySynonym.objects.create(company=cast.company, variant="不动", canonical="坏")
    found = queries.candidates_for(second, now=T0 + dt.timedelta(days=1))
    assert [c.ticket.pk for c in found] == [first.pk]


def test_r_m3_04_project_synonym_overrides_company_row_and_stays_in_its_project(cast) -> None:
    SimilaritySynonym.objects.create(company=cast.company, variant="北梯", canonical="电梯")
    SimilaritySynonym.objects.create(company=cast.company, project=cast.project, variant="北梯", canonical="货梯")
    assert queries.synonyms_for(cast.project) == {"北梯": "货梯"}
    assert queries.synonyms_for(cast.other_project) == {"北梯": "电梯"}


def test_synonym_validation_rejects_empty_and_identity(cast) -> None:
    with pytest.raises(ValidationError):
        SimilaritySynonym(company=cast.company, variant=" ", canonical="电梯").full_clean()
    with pytest.raises(ValidationError):
        SimilaritySynonym(company=cast.company, variant="电梯", canonical="电梯").full_clean()
