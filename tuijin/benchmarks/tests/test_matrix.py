"""Permission matrix of every 对标对表 page (/benchmarks/) and API route (/api/benchmarks/)
(utilities/testing/matrix.py): anonymous → login / 401, no permission → 403, allowed → 200 with the object shown
(or the action done).

The benchmark rows (regions, indicators, values, targets) are the district's, not a unit's: every role that may read
them reads all of them, so their pages declare `scoped = False`. What is scoped is the list of projects that would
close a gap (the indicator page and the comparison endpoint): a 甲 unit user sees 甲's projects there, never 乙's —
those are the out-of-scope objects, with the control that the same user without the row scope does see them.

"No permission" is a real role without the benchmark permissions (招商专员, `investment_staff`) for the pages that
read, and a district leader (who reads but does not enter) for the pages that write."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tuijin.benchmarks.models import IndicatorValue
from tuijin.org.choices import Role
from tuijin.utilities.testing.matrix import ApiMatrix, Case, PostMatrix, ViewMatrix
from tuijin.utilities.testing.world import make_user

from .conftest import indicator

pytestmark = pytest.mark.django_db

DISTRICT = "对标数据是全区的（不属于某个单位）：有查看权限的人看到同样的地区、指标、数值和目标"
PERIOD = "?year=2025&month=6"


@pytest.fixture
def zs(world):
    """招商专员: a role of the district without any benchmark permission."""
    return make_user("zs_a", role=Role.INVESTMENT_STAFF, unit=world.unit_a)


def name(obj) -> str:
    return obj.name


def source(obj) -> str:
    return obj.source


def _value(peers) -> IndicatorValue:
    return IndicatorValue.objects.get(region=peers["hebi"], indicator__code="fai_growth")


# -- pages that read ------------------------------------------------------------------------------------------------


class TestIndex(ViewMatrix):
    url_name = "benchmarks:index"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=peers["hebi"], marker=name)


class TestIndicator(ViewMatrix):
    """The figures are the district's; the closing projects are named only within the reader's scope."""

    url_name = "benchmarks:indicator"
    detail = False

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[indicator("fai_growth").pk]) + PERIOD

    @pytest.fixture
    def matrix(self, world, zs, tiny, peers, targets):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=tiny["p1"], out_of_scope=tiny["p2"], marker=name)


class TestShare(ViewMatrix):
    url_name = "benchmarks:share"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.sponsor, denied=zs, in_scope=peers["hebi"], marker=name)


class TestValueList(ViewMatrix):
    url_name = "benchmarks:value_list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.approver_a, denied=zs, in_scope=_value(peers), marker=source)


class TestTargetList(ViewMatrix):
    url_name = "benchmarks:target_list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name) + "?year=2025"

    @pytest.fixture
    def matrix(self, world, zs, targets):
        return Case(allowed=world.leader, denied=zs, in_scope=targets["fai_growth"], marker=source)


class TestRegionList(ViewMatrix):
    url_name = "benchmarks:region_list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_b, denied=zs, in_scope=peers["hebi"], marker=name)


class TestIndicatorList(ViewMatrix):
    url_name = "benchmarks:indicator_list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=indicator("secondary_share"), marker=name)


class TestExport(ViewMatrix):
    url_name = "benchmarks:export"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name) + PERIOD

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.leader, denied=zs, in_scope=_value(peers), marker=source)


# -- pages that write -----------------------------------------------------------------------------------------------


class TestValueAdd(ViewMatrix):
    url_name = "benchmarks:value_add"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, peers):
        return Case(allowed=world.office, denied=world.leader, in_scope=peers["hebi"], marker=name)


class TestValueEdit(ViewMatrix):
    url_name = "benchmarks:value_edit"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, peers):
        return Case(allowed=world.office, denied=world.leader, in_scope=_value(peers), marker=source)


class TestValueDelete(PostMatrix):
    url_name = "benchmarks:value_delete"
    scoped = False
    unscoped_reason = DISTRICT

    def data(self, obj, matrix):
        return {"version": str(obj.version)}

    def effect(self, obj, matrix):
        assert not IndicatorValue.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, peers):
        return Case(allowed=world.office, denied=world.leader, in_scope=_value(peers))


class TestTargetAdd(ViewMatrix):
    url_name = "benchmarks:target_add"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader, in_scope=indicator("fai_growth"), marker=name)


class TestTargetEdit(ViewMatrix):
    url_name = "benchmarks:target_edit"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, targets):
        return Case(allowed=world.office, denied=world.leader, in_scope=targets["fai_growth"], marker=source)


class TestRegionAdd(ViewMatrix):
    url_name = "benchmarks:region_add"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestRegionEdit(ViewMatrix):
    url_name = "benchmarks:region_edit"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, peers):
        return Case(allowed=world.office, denied=world.leader, in_scope=peers["changyuan"], marker=name)


class TestIndicatorAdd(ViewMatrix):
    url_name = "benchmarks:indicator_add"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestIndicatorEdit(ViewMatrix):
    url_name = "benchmarks:indicator_edit"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader, in_scope=indicator("started_projects"), marker=name)


class TestImport(ViewMatrix):
    url_name = "benchmarks:import"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestTemplate(ViewMatrix):
    url_name = "benchmarks:template"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name) + PERIOD

    @pytest.fixture
    def matrix(self, world, peers):
        return Case(allowed=world.office, denied=world.leader, in_scope=peers["gaoxin"], marker=name)


def _workbook(region_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["地区", "指标", "年度", "截至月份", "数值", "来源", "发布日期", "备注"])
    sheet.append([region_name, "固定资产投资增速", 2025, 4, 9.9, "矩阵测试来源", "2025-05-20", ""])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestImportApply(PostMatrix):
    """Upload (preview), then 确认导入 with the preview's token."""

    url_name = "benchmarks:import_apply"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    def fetch(self, client, matrix, obj):
        upload = SimpleUploadedFile("values.xlsx", _workbook(obj.name))
        preview = client.post(reverse("benchmarks:import"), {"file": upload})
        token = (preview.context or {}).get("token", "none") if preview.status_code == 200 else "none"
        return client.post(self.url_for(obj), {"token": token})

    def effect(self, obj, matrix):
        assert IndicatorValue.objects.filter(region=obj, year=2025, month=4, value=Decimal("9.90")).exists()

    @pytest.fixture
    def matrix(self, world, peers):
        return Case(allowed=world.office, denied=world.leader, in_scope=peers["gaoxin"])


# -- API ------------------------------------------------------------------------------------------------------------


class TestApiRegions(ApiMatrix):
    url_name = "benchmarks-api:region-list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=peers["hebi"], marker=name)


class TestApiRegion(ApiMatrix):
    url_name = "benchmarks-api:region-detail"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=peers["hebi"], marker=name)


class TestApiIndicators(ApiMatrix):
    url_name = "benchmarks-api:indicator-list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs):
        return Case(allowed=world.leader, denied=zs, in_scope=indicator("fai_growth"), marker=name)


class TestApiIndicator(ApiMatrix):
    url_name = "benchmarks-api:indicator-detail"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs):
        return Case(allowed=world.leader, denied=zs, in_scope=indicator("fai_growth"), marker=name)


class TestApiValues(ApiMatrix):
    url_name = "benchmarks-api:value-list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_b, denied=zs, in_scope=_value(peers), marker=source)


class TestApiValue(ApiMatrix):
    url_name = "benchmarks-api:value-detail"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_b, denied=zs, in_scope=_value(peers), marker=source)


class TestApiTargets(ApiMatrix):
    url_name = "benchmarks-api:target-list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, targets):
        return Case(allowed=world.sponsor, denied=zs, in_scope=targets["secondary_share"], marker=source)


class TestApiTarget(ApiMatrix):
    url_name = "benchmarks-api:target-detail"
    scoped = False
    unscoped_reason = DISTRICT

    @pytest.fixture
    def matrix(self, world, zs, targets):
        return Case(allowed=world.sponsor, denied=zs, in_scope=targets["secondary_share"], marker=source)


class TestApiComparisons(ApiMatrix):
    url_name = "benchmarks-api:comparison-list"
    detail = False
    scoped = False
    unscoped_reason = DISTRICT

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name) + PERIOD

    @pytest.fixture
    def matrix(self, world, zs, peers):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=peers["hebi"], marker=name)


class TestApiComparison(ApiMatrix):
    """One indicator's comparison with its closing projects: 乙's project is not named to a 甲 user."""

    url_name = "benchmarks-api:comparison-detail"
    detail = False

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[indicator("fai_growth").pk]) + PERIOD

    @pytest.fixture
    def matrix(self, world, zs, tiny, peers, targets):
        return Case(allowed=world.reporter_a, denied=zs, in_scope=tiny["p1"], out_of_scope=tiny["p2"], marker=name)
