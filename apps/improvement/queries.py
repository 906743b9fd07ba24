"""Reads of the improvement plans: rows with their R-M15-01 flag and links, and the effect on the
linked survey items (R-M15-03 / R-M10-12): satisfaction per item code in the company's two latest
survey campaigns, one GROUP BY over the answers."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from apps.improvement.models import ImprovementPlan, PlanAction
from apps.surveys.models import SurveyAnswer, SurveyCampaign
from apps.surveys.queries import pct


def plans(company_ids: list[int]) -> QuerySet[ImprovementPlan]:
    return (ImprovementPlan.objects.filter(company_id__in=company_ids)
            .annotate(n_actions=Count("actions", distinct=True),
                      n_done=Count("actions", filter=Q(actions__status="done"), distinct=True),
                      n_flagged=Count("actions", filter=Q(actions__due_on=None) | (Q(actions__responsible="")
                                                                                 & Q(actions__owner=None)),
                                      distinct=True))
            .order_by("-year", "kind", "line"))


def rows(plan: ImprovementPlan) -> list[PlanAction]:
    return list(plan.actions.prefetch_related("complaint_categories", "visit_problems").select_related("owner")
                .order_by("number"))


@dataclass
class Effect:
    code: str
    previous: Decimal | None
    latest: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.previous is None or self.latest is None:
            return None
        return self.latest - self.previous


def campaigns_compared(company_id: int) -> list[SurveyCampaign]:
    """The company's two latest campaigns with answers, latest first."""
    return list(SurveyCampaign.objects.filter(company_id=company_id,
                                              project_surveys__sample__recovered_at__isnull=False)
                .distinct().order_by("-received_on", "-id")[:2])


def effects(plan: ImprovementPlan, actions: list[PlanAction]) -> tuple[list[SurveyCampaign], dict[str, Effect]]:
    codes = sorted({c for a in actions for c in a.survey_items})
    compared = campaigns_compared(plan.company_id)
    if not codes or not compared:
        return compared, {}
    grouped = (SurveyAnswer.objects.filter(response__survey__campaign__in=compared, item__code__in=codes,
                                           satisfied__isnull=False)
               .values("response__survey__campaign_id", "item__code")
               .annotate(n=Count("id"), s=Count("id", filter=Q(satisfied=True))))
    rate = {(g["response__survey__campaign_id"], g["item__code"]): pct(g["s"], g["n"]) for g in grouped}
    latest = compared[0].pk
    previous = compared[1].pk if len(compared) > 1 else None
    return compared, {c: Effect(c, rate.get((previous, c)) if previous else None, rate.get((latest, c)))
                      for c in codes}
