"""Synthetic data step: the warning lights of the latest month, from the facts the reports step rebuilt."""

from tuijin.core.synthetic import SyntheticRun, SyntheticStep
from tuijin.projects.models import Project

from .warnings import evaluate_period

__all__ = ["LightsStep"]

LIGHT_CHUNK = 10000  # projects per evaluate_period call


class LightsStep(SyntheticStep):
    def finish(self, run: SyntheticRun) -> None:
        ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        colors: dict[str, int] = {}
        for lo in range(0, len(ids), LIGHT_CHUNK):
            part = ids[lo : lo + LIGHT_CHUNK]
            projects = Project.objects.filter(pk__gte=part[0], pk__lte=part[-1])
            evaluated = evaluate_period(run.latest, projects=projects)
            for color, n in evaluated.colors.items():
                colors[color] = colors.get(color, 0) + n
        run.result.lights = colors
        run.result.counts["lights"] = sum(colors.values())
