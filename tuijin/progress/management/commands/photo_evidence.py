"""`tuijin photo_evidence`: read the EXIF, make the rendition and thumbnail, hash and flag report photos stored
before these existed (progress/photo_evidence.py). Idempotent: photos already checked are skipped unless `--all`."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from tuijin.progress.models import ReportPhoto
from tuijin.progress.photo_evidence import photo_evidence_apply


class Command(BaseCommand):
    help = "Backfill site-photo evidence (EXIF, rendition, thumbnail, perceptual hash, flags) for stored photos."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="re-check every photo (after changing a TUIJIN_PHOTO_* threshold)"
        )

    def handle(self, *args, **options):
        began = time.monotonic()
        photos = ReportPhoto.objects.select_related("report__project").order_by("pk")
        if not options["all"]:
            photos = photos.filter(evidence_checked_at__isnull=True)
        # in upload order: a photo is compared with the photos before it, whose hashes are then already stored
        done = flagged = missing = too_large = 0
        for pk in list(photos.values_list("pk", flat=True)):
            photo = photos.get(pk=pk)
            try:
                with photo.file.open("rb") as handle:
                    content = handle.read()
            except OSError:
                missing += 1
                self.stderr.write(f"photo {pk}: file {photo.file.name} is missing")
                continue
            with transaction.atomic():
                evidence = photo_evidence_apply(photo, content)
            done += 1
            flagged += photo.flag_far or photo.flag_early or photo.flag_reused
            too_large += "too_large" in evidence.problems
        self.stdout.write(
            f"checked {done} photos ({flagged} flagged, {too_large} above the pixel limit without a rendition, "
            f"{missing} files missing) in {time.monotonic() - began:.1f} s"
        )
