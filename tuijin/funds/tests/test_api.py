"""API of 争取上级资金 and 纳统 (/api/funds/): create, list and retrieve (with the ETag), the workflow actions (advance,
return, withdraw, decide, pay), 412 on a stale version, 400 with the services' Chinese messages, 403 without the
permission, 404 out of scope, and the 统计口径 lock after submission."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.funds.choices import ApplicationStatus
from tuijin.funds.models import FundApplication, FundingBatch, StatsFigure

from .test_services import apply, bureau, coded, complete, drive, figure, fresh, last_month, today, window

pytestmark = pytest.mark.django_db

D = Decimal
JSON = {"HTTP_ACCEPT": "application/json"}


def post(client, url, body):
    return client.post(url, body, content_type="application/json", **JSON)


def act(client, application, action: str, **body):
    return post(client, reverse(f"funds-api:application-{action}", args=[application.pk]), body)


def rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


@pytest.fixture
def setup(world):
    return coded(world.unit_a, "甲街道接口项目", total="500"), window(world.office, "市级专项接口批次")


def test_create_list_retrieve_with_etag(client, world, setup):
    project, batch = setup
    client.force_login(world.reporter_a)
    body = {"project": project.pk, "batch": batch.pk, "requested_amount": "120.50", "other_funds_statement": "无"}
    created = post(client, reverse("funds-api:application-list"), body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "drafting" and data["status_display"] == "编制" and data["requested_amount"] == "120.50"
    assert data["number"].startswith(f"ZJ{today():%Y}-") and data["paid"] == "0"
    assert created["ETag"] == f'"{data["version"]}"'
    listed = client.get(reverse("funds-api:application-list"), {"status": "drafting"}, **JSON)
    assert listed.status_code == 200 and [r["number"] for r in rows(listed)] == [data["number"]]
    assert rows(client.get(reverse("funds-api:application-list"), {"status": "approved"}, **JSON)) == []
    one = client.get(reverse("funds-api:application-detail", args=[data["id"]]), **JSON)
    assert one.status_code == 200 and one["ETag"] == f'"{data["version"]}"'
    batch_row = client.get(reverse("funds-api:batch-detail", args=[batch.pk]), **JSON)
    assert batch_row.status_code == 200 and batch_row["ETag"] == f'"{batch.version}"'
    assert batch_row.json()["channel_display"] == "市级专项资金" and batch_row.json()["required_documents"] == [
        "application_report"
    ]


def test_the_workflow_through_the_api(client, world, setup):
    project, batch = setup
    application = complete(world.reporter_a, apply(world.reporter_a, project, batch, amount="200"))
    client.force_login(world.reporter_a)
    response = act(client, application, "advance", version=application.version, note="请审核")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "district_review" and response["ETag"] == f'"{response.json()["version"]}"'
    client.force_login(world.office)
    version = response.json()["version"]
    response = act(client, application, "send-back", version=version, reason="补充绩效目标表")
    assert response.status_code == 200 and response.json()["status"] == "drafting"
    client.force_login(world.reporter_a)
    response = act(client, application, "advance", version=response.json()["version"])
    assert response.json()["status"] == "district_review"
    client.force_login(world.office)
    for expected in ("city", "province", "national"):
        response = act(client, application, "advance", version=response.json()["version"], note="同意")
        assert response.status_code == 200 and response.json()["status"] == expected
    response = act(
        client,
        application,
        "decide",
        version=response.json()["version"],
        approved=True,
        amount="150",
        approval_doc="豫发改投资〔2026〕66号",
        approval_date=today().isoformat(),
        arrived_on=today().isoformat(),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "approved" and data["approved_amount"] == "150.00" and data["arrived_on"] == str(today())
    response = act(client, application, "pay", paid_on=today().isoformat(), amount="100", note="首笔")
    assert response.status_code == 200, response.content
    assert response.json()["paid"] == "100.00" and [p["amount"] for p in response.json()["payments"]] == ["100.00"]
    assert fresh(application).events.count() == 8


def test_withdraw_and_reject(client, world, setup):
    project, batch = setup
    application = apply(world.reporter_a, project, batch)
    client.force_login(world.reporter_a)
    response = act(client, application, "withdraw", version=application.version, reason="改报省级专项")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    other = drive(apply(world.reporter_a, project, batch), world.reporter_a, world.office, "province")
    client.force_login(world.office)
    response = act(client, other, "decide", version=other.version, approved=False, reason="")
    assert response.status_code == 400 and response.json()["reason"] == ["请填写未入选原因。"]
    response = act(client, other, "decide", version=other.version, approved=False, reason="额度有限")
    assert response.status_code == 200 and response.json()["rejection_reason"] == "额度有限"


def test_stale_version_is_412(client, world, setup):
    project, batch = setup
    application = drive(apply(world.reporter_a, project, batch), world.reporter_a, world.office, "district_review")
    client.force_login(world.office)
    response = act(client, application, "advance", version=application.version - 1)
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "conflict" and body["current_version"] == application.version
    assert response["ETag"] == f'"{application.version}"'
    assert fresh(application).status == ApplicationStatus.DISTRICT_REVIEW
    # a move already made by someone else (same version seen, the status changed) is a conflict too
    act(client, application, "advance", version=application.version)
    response = act(client, application, "send-back", version=application.version, reason="晚了")
    assert response.status_code == 412 and "该申报刚被他人处理" in response.json()["detail"]


def test_refusals_are_400_in_chinese(client, world, setup):
    project, batch = setup
    client.force_login(world.reporter_a)
    body = {"project": project.pk, "batch": batch.pk, "requested_amount": "600"}
    response = post(client, reverse("funds-api:application-list"), body)
    assert response.status_code == 400 and response.json()["requested_amount"] == ["申请金额不能超过项目总投资。"]
    application = apply(world.reporter_a, project, batch, amount="100")
    response = act(client, application, "advance", version=application.version)
    assert response.status_code == 400 and response.json()["files"] == ["申报材料不全，还缺：申报书。"]
    application = drive(application, world.reporter_a, world.office, "national")
    client.force_login(world.office)
    response = act(client, application, "advance", version=application.version)
    assert response.status_code == 400 and response.json()["detail"] == "当前状态不能再转报。"
    response = act(
        client,
        application,
        "decide",
        version=application.version,
        approved=True,
        amount="101",
        approval_doc="",
        approval_date=today().isoformat(),
    )
    assert response.status_code == 400
    assert response.json()["amount"] == ["下达金额不能超过申请金额。"]
    assert response.json()["approval_doc"] == ["请填写下达文号。"]
    response = act(client, application, "pay", paid_on=today().isoformat(), amount="5")
    assert response.status_code == 400 and response.json()["detail"] == "资金下达后才能登记支付。"
    assert FundApplication.objects.get(pk=application.pk).status == ApplicationStatus.NATIONAL


def test_without_permission_is_403(client, world, setup):
    project, batch = setup
    application = drive(apply(world.reporter_a, project, batch), world.reporter_a, world.office, "city")
    client.force_login(world.reporter_a)  # reads the application, may not record the decision
    response = act(client, application, "decide", version=application.version, approved=False, reason="x")
    assert response.status_code == 403 and response.json()["detail"] == "您没有执行此操作的权限。"
    response = post(
        client,
        reverse("funds-api:batch-list"),
        {"channel": "municipal", "name": "街道自建批次", "opens_on": str(today()), "deadline": str(today())},
    )
    assert response.status_code == 403
    client.force_login(world.sysadmin)  # no 资金 permission at all
    assert client.get(reverse("funds-api:application-list"), **JSON).status_code == 403
    assert FundApplication.objects.get(pk=application.pk).status == ApplicationStatus.CITY


def test_out_of_scope_is_404(client, world, setup):
    project, batch = setup
    theirs = apply(world.reporter_b, coded(world.unit_b, "乙街道接口项目"), batch)
    client.force_login(world.reporter_a)
    assert client.get(reverse("funds-api:application-detail", args=[theirs.pk]), **JSON).status_code == 404
    assert act(client, theirs, "withdraw", version=theirs.version, reason="x").status_code == 404
    foreign = window(world.foreign_office, "邻区批次")
    assert client.get(reverse("funds-api:batch-detail", args=[foreign.pk]), **JSON).status_code == 404
    # naming a project or a batch out of scope on create is refused like a missing one
    body = {"project": theirs.project_id, "batch": batch.pk, "requested_amount": "10"}
    response = post(client, reverse("funds-api:application-list"), body)
    assert response.status_code == 400 and "project" in response.json()
    body = {"project": project.pk, "batch": foreign.pk, "requested_amount": "10"}
    response = post(client, reverse("funds-api:application-list"), body)
    assert response.status_code == 400 and "batch" in response.json()
    assert FundApplication.objects.filter(project=project).count() == 0
    assert fresh(theirs).status == ApplicationStatus.DRAFTING


def test_batch_create(client, world):
    client.force_login(world.office)
    body = {
        "channel": "long_bond_major",
        "name": "2027年两重建设项目第一批",
        "opens_on": str(today()),
        "deadline": str(today()),
        "min_prep_stage": "feasibility",
        "min_library_status": "reserve",
    }
    response = post(client, reverse("funds-api:batch-list"), body)
    assert response.status_code == 201, response.content
    batch = FundingBatch.objects.get(pk=response.json()["id"])
    assert batch.organiser == world.office_unit
    assert batch.required_documents == ["application_report", "approval_doc", "performance_targets"]
    body["deadline"] = "2000-01-01"
    response = post(client, reverse("funds-api:batch-list"), body)
    assert response.status_code == 400 and "申报截止不能早于申报开始" in response.content.decode()


def test_stats_submit_locks_the_figure(client, world, setup):
    project, _batch = setup
    tongji = bureau(world.office_unit)
    client.force_login(tongji)
    body = {"project": project.pk, "month": str(last_month()), "stats_investment": "88", "in_database": True}
    response = post(client, reverse("funds-api:stats-list"), body)
    assert response.status_code == 201, response.content
    pk, version = response.json()["id"], response.json()["version"]
    submit = reverse("funds-api:stats-submit", args=[pk])
    assert post(client, submit, {"version": version - 1}).status_code == 412
    response = post(client, submit, {"version": version})
    assert response.status_code == 200 and response.json()["submitted_at"]
    version = response.json()["version"]
    # a correction needs a reason
    response = post(client, submit, {"version": version})
    assert response.status_code == 400 and response.json()["correction_reason"] == ["已报送的数据更正须说明理由。"]
    response = post(client, submit, {"version": version, "reason": "联网直报更正"})
    assert response.status_code == 200 and response.json()["version"] == version + 1
    # nobody but the bureau enters or submits, the 项目办 included
    client.force_login(world.office)
    response = post(client, reverse("funds-api:stats-list"), dict(body, stats_investment="1"))
    assert response.status_code == 403
    response = post(client, submit, {"version": version + 1, "reason": "x"})
    assert response.status_code == 403 and response.json()["detail"] == "只有统计局可以报送统计口径数据。"
    assert StatsFigure.objects.get(pk=pk).stats_investment == D("88")


def test_stats_entered_again_reaches_the_service(client, world, setup):
    """Entering a month again changes an unsubmitted figure, and a submitted one is refused with the lock's message
    (not DRF's uniqueness message)."""
    project, _batch = setup
    tongji = bureau(world.office_unit)
    row = figure(tongji, project, "10")
    client.force_login(tongji)
    body = {"project": project.pk, "month": str(last_month()), "stats_investment": "20", "in_database": True}
    response = post(client, reverse("funds-api:stats-list"), dict(body, version=row.version))
    assert response.status_code in (200, 201), response.content
    assert fresh(row).stats_investment == D("20")
    post(client, reverse("funds-api:stats-submit", args=[row.pk]), {"version": fresh(row).version})
    response = post(client, reverse("funds-api:stats-list"), dict(body, stats_investment="30", version=row.version))
    assert response.status_code == 400 and response.json()["code"] == "locked"
    assert "已锁定，不能修改" in response.json()["detail"]


def test_stats_correction_through_the_api_changes_the_figure(client, world, setup):
    project, _batch = setup
    tongji = bureau(world.office_unit)
    row = figure(tongji, project, "10")
    client.force_login(tongji)
    submit = reverse("funds-api:stats-submit", args=[row.pk])
    version = post(client, submit, {"version": row.version}).json()["version"]
    response = post(client, submit, {"version": version, "reason": "漏报一笔", "stats_investment": "25"})
    assert response.status_code == 200
    assert response.json()["stats_investment"] == "25.00"
