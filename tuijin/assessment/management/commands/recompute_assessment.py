"""Recompute every open (试算) assessment round from the current figures — the nightly safety net beside the
recomputation that follows a change of the facts (see docs/subsystems/assessment.md)."""

import time

from django.core.management.base import BaseCommand

from tuijin.assessment import scoring
from tuijin.assessment.choices import RoundStatus
from tuijin.assessment.models import Round


class Command(BaseCommand):
    help = "重新计算所有试算中的考核期"

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        rounds = list(Round.objects.filter(status=RoundStatus.OPEN))
        for round_ in rounds:
            scoring.compute(round_)
        self.stdout.write("recomputed %d open round(s) in %.1f s" % (len(rounds), time.monotonic() - started))
