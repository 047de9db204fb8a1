"""Permission matrices of the published notices (readers: units and leaders of the district) and the 序时进度 page."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tuijin.dispatch.models import PublishedNotice
from tuijin.utilities.testing.matrix import Case, ViewMatrix


def _published(region, title: str) -> PublishedNotice:
    notice = PublishedNotice(
        region=region,
        year=2026,
        month=10,
        issue_year=2026,
        issue_no=1,
        office="项目办",
        issue_date=timezone.localdate(),
        title=title,
        published_at=timezone.now(),
    )
    notice.pdf.save("notice.pdf", ContentFile(f"%PDF-1.4 {title}".encode()), save=False)
    notice.save()
    return notice


@pytest.fixture
def issues(world):
    return _published(world.district, "本区第1期通报"), _published(world.other_district, "邻区第1期通报")


class TestPublishedNoticeMatrix(ViewMatrix):
    url_name = "dispatch:published_notice"

    @pytest.fixture
    def matrix(self, world, issues):
        mine, foreign = issues
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=mine, out_of_scope=foreign, marker=str)


class TestPublishedNoticeDownloadMatrix(ViewMatrix):
    url_name = "dispatch:published_notice_download"

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[obj.pk, "pdf"])

    @pytest.fixture
    def matrix(self, world, issues):
        mine, foreign = issues
        return Case(
            allowed=world.sponsor,
            denied=world.ent_user_a,
            in_scope=mine,
            out_of_scope=foreign,
            marker=lambda notice: notice.title,
        )


class TestScheduleMatrix(ViewMatrix):
    url_name = "dispatch:schedule"
    detail = False
    scoped = False
    unscoped_reason = "the page edits the schedule of the user's own region: no object is named in the request"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)
