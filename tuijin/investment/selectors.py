"""Reads for leads: the pipeline strip's counts per stage and the size bands (one SQL statement each)."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet
from django.db.models.functions import Coalesce

from .choices import PIPELINE, LeadStage, SizeBand

__all__ = ["BAND_LIMITS", "band_condition", "project_month", "stage_counts", "with_amount"]

# 万元: 3亿 = 30000万元
BAND_LIMITS = {
    SizeBand.UNDER_3: (None, Decimal(30000)),
    SizeBand.FROM_3_TO_10: (Decimal(30000), Decimal(100000)),
    SizeBand.FROM_10_TO_20: (Decimal(100000), Decimal(200000)),
    SizeBand.OVER_20: (Decimal(200000), None),
}


def with_amount(queryset: QuerySet) -> QuerySet:
    """`sized_amount`: the signed total once signed, else the planned amount (万元), None when neither is known."""
    return queryset.annotate(
        sized_amount=Coalesce(
            "signed_total", "planned_investment", output_field=DecimalField(max_digits=14, decimal_places=2)
        )
    )


def band_condition(band: str) -> Q:
    """The condition on `sized_amount` (see with_amount) for a size band."""
    if band == SizeBand.UNKNOWN:
        return Q(sized_amount__isnull=True)
    low, high = BAND_LIMITS[SizeBand(band)]
    condition = Q(sized_amount__isnull=False)
    if low is not None:
        condition &= Q(sized_amount__gte=low)
    if high is not None:
        condition &= Q(sized_amount__lt=high)
    return condition


def stage_counts(queryset: QuerySet) -> list[dict]:
    """Each stage of the pipeline, then 终止, with its count in `queryset` (one query)."""
    stages = [*PIPELINE, LeadStage.TERMINATED]
    counts = queryset.order_by().aggregate(**{s.value: Count("pk", filter=Q(stage=s)) for s in stages})
    return [{"stage": s.value, "label": s.label, "count": counts[s.value]} for s in stages]


def project_month(lead):
    """The converted project's latest reported month in the facts layer (its 开工累计完成投资 there), None before
    any report: the lead shows the project's figures, nobody types them again."""
    from tuijin.facts.models import ProjectMonth

    return (
        ProjectMonth.objects.filter(project_id=lead.project_id, reported=True)
        .order_by("-period")
        .only("period", "cumulative")
        .first()
    )
