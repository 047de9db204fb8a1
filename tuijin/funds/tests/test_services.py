"""争取上级资金 services: the application workflow (each state, each refusal with its Chinese message), the per-channel
checklist, the duplicate central-money check, payments (capped at the grant, dated after 下达), the batch deadline
reminder (once per batch and deadline), the 谋划/入库 record's conflict, and the 统计口径 lock (nobody edits a
submitted figure; a correction needs a reason and lands in the history).

The helpers at the top build applications through the services; test_api and test_matrix use them too."""

import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.models import ObjectChange
from tuijin.core.periods import previous_month
from tuijin.funds import services
from tuijin.funds.choices import APPLICATION_FLOW, ApplicationStatus, Channel
from tuijin.funds.models import (
    ApplicationEvent,
    BatchReminder,
    FundApplication,
    FundingBatch,
    FundPayment,
    FundsSettings,
    ProjectPrep,
    StatsFigure,
)
from tuijin.notifications.models import Notification
from tuijin.org.choices import Role
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.world import make_user

D = Decimal
_codes = count(1)


# -- builders (shared with test_api and test_matrix) ---------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def pdf(marker: str = "doc") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return SimpleUploadedFile(f"{marker}.pdf", body, content_type="application/pdf")


def coded(unit, name: str, total: str = "1000", **fields) -> Project:
    """A project with a 项目代码 (applications need one)."""
    project = make_project(unit=unit, name=name, total=total, **fields)
    Project.objects.filter(pk=project.pk).update(code=f"2026-410702-48-01-{next(_codes):06d}")
    return Project.objects.get(pk=project.pk)


def window(actor, name: str, channel: str = Channel.MUNICIPAL, opens: int = -5, closes: int = 20, **rules):
    """A funding batch open from `opens` to `closes` days from today, with no eligibility condition unless given."""
    data = {
        "channel": channel,
        "name": name,
        "opens_on": today() + timedelta(days=opens),
        "deadline": today() + timedelta(days=closes),
        "min_prep_stage": "idea",
        "min_library_status": "none",
        "require_code": False,
        **rules,
    }
    return services.batch_save(actor=actor, data=data)


def apply(actor, project, batch, amount: str = "100", statement: str = "") -> FundApplication:
    return services.application_create(
        actor=actor, project=project, batch=batch, requested_amount=D(amount), other_funds_statement=statement
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def complete(actor, application) -> FundApplication:
    """Upload every document the checklist still misses."""
    for key, _label in services.missing_documents(application):
        services.application_file_add(actor=actor, application=application, doc_key=key, uploaded=pdf(key))
    return fresh(application)


def drive(application, unit_actor, office, to: str) -> FundApplication:
    """Move an application through the services up to `to` (a state of the flow, 已下达 or 未入选)."""
    application = fresh(application)
    target = ApplicationStatus.CITY if to in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED) else to
    order = [str(s) for s in APPLICATION_FLOW]
    while order.index(application.status) < order.index(target):
        actor = unit_actor if application.status == ApplicationStatus.DRAFTING else office
        if application.status == ApplicationStatus.DRAFTING:
            application = complete(unit_actor, application)
        application = services.application_advance(actor=actor, application=application, version=application.version)
        application = fresh(application)
    if to == ApplicationStatus.APPROVED:
        application = grant(application, office)
    elif to == ApplicationStatus.REJECTED:
        services.application_decide(
            actor=office, application=application, version=application.version, approved=False, reason="额度有限"
        )
    return fresh(application)


def grant(application, office, amount="80", approval_date=None, arrived_on=None) -> FundApplication:
    services.application_decide(
        actor=office,
        application=application,
        version=application.version,
        approved=True,
        amount=D(amount),
        approval_doc="发改投资〔2026〕12号",
        approval_date=approval_date or today(),
        arrived_on=arrived_on,
    )
    return fresh(application)


def bureau(unit, username: str = "tongji"):
    return make_user(username, role=Role.STATS_BUREAU, unit=unit)


def last_month() -> date:
    return previous_month(today()).replace(day=1)


def figure(actor, project, amount: str = "100", *, in_database=True, note="", month=None) -> StatsFigure:
    return services.stats_save(
        actor=actor,
        project=project,
        month=month or last_month(),
        stats_investment=D(amount),
        in_database=in_database,
        note=note,
    )


def messages_of(exc) -> str:
    value = exc.value
    if isinstance(value, ValidationError):
        return "；".join(value.messages)
    return getattr(value, "message", None) or str(value)


# -- tests ---------------------------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    project = coded(world.unit_a, "甲街道资金项目")
    batch = window(world.office, "市级专项第一批")
    return project, batch


def test_the_workflow_from_drafting_to_approval(world, setup):
    project, batch = setup
    application = apply(world.reporter_a, project, batch)
    assert application.status == ApplicationStatus.DRAFTING and application.number.startswith(f"ZJ{today():%Y}-")
    with pytest.raises(ValidationError) as exc:
        services.application_advance(actor=world.reporter_a, application=application, version=application.version)
    assert messages_of(exc) == "申报材料不全，还缺：申报书。"
    application = complete(world.reporter_a, application)
    application = services.application_advance(
        actor=world.reporter_a, application=application, version=application.version
    )
    assert application.status == ApplicationStatus.DISTRICT_REVIEW
    # the office is told there is one to review
    assert Notification.objects.filter(user=world.office, title__contains="资金申报待区级审核").exists()
    with pytest.raises(PermissionDenied) as exc:  # the unit does not forward its own application
        services.application_advance(actor=world.reporter_a, application=application, version=application.version)
    assert str(exc.value) == "您没有执行此操作的权限。"
    for expected in (ApplicationStatus.CITY, ApplicationStatus.PROVINCE, ApplicationStatus.NATIONAL):
        application = services.application_advance(
            actor=world.office, application=application, version=application.version, note="同意转报"
        )
        assert fresh(application).status == expected
    with pytest.raises(ApplicationError) as exc:
        services.application_advance(actor=world.office, application=application, version=application.version)
    assert messages_of(exc) == "当前状态不能再转报。"
    application = grant(fresh(application), world.office, arrived_on=today())
    assert application.status == ApplicationStatus.APPROVED and application.approved_amount == D("80")
    steps = list(application.events.values_list("from_status", "to_status"))
    assert steps == [
        ("", "drafting"),
        ("drafting", "district_review"),
        ("district_review", "city"),
        ("city", "province"),
        ("province", "national"),
        ("national", "approved"),
    ]
    assert application.events.last().note == "下达 80 万元，发改投资〔2026〕12号"


def test_return_withdraw_and_stale_moves(world, setup):
    project, batch = setup
    application = drive(apply(world.reporter_a, project, batch), world.reporter_a, world.office, "district_review")
    with pytest.raises(ValidationError) as exc:
        services.application_return(
            actor=world.office, application=application, version=application.version, reason=" "
        )
    assert messages_of(exc) == "请填写退回理由。"
    with pytest.raises(PermissionDenied):
        services.application_return(
            actor=world.reporter_a, application=application, version=application.version, reason="自己退回"
        )
    services.application_return(
        actor=world.office, application=application, version=application.version, reason="补充绩效目标"
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.DRAFTING
    assert application.events.last().note == "补充绩效目标"
    # a stale version (the page before the return) is refused
    with pytest.raises(ConflictError):
        services.application_withdraw(
            actor=world.reporter_a, application=application, version=application.version - 1, reason="不再申报"
        )
    with pytest.raises(ValidationError) as exc:
        services.application_withdraw(
            actor=world.reporter_a, application=application, version=application.version, reason=""
        )
    assert messages_of(exc) == "请填写撤回理由。"
    services.application_withdraw(
        actor=world.reporter_a, application=application, version=application.version, reason="不再申报"
    )
    assert fresh(application).status == ApplicationStatus.WITHDRAWN
    # a withdrawn application frees the batch for a new one
    again = apply(world.reporter_a, project, batch)
    assert again.status == ApplicationStatus.DRAFTING
    # another unit's application is out of reach
    with pytest.raises(PermissionDenied) as exc:
        services.application_withdraw(actor=world.reporter_b, application=again, version=again.version, reason="x")
    assert str(exc.value) == "该申报不在您的管理范围内。"


def test_returning_a_forwarded_application_is_a_conflict(world, setup):
    project, batch = setup
    application = drive(apply(world.reporter_a, project, batch), world.reporter_a, world.office, "city")
    with pytest.raises(ConflictError) as exc:
        services.application_return(
            actor=world.office, application=application, version=application.version, reason="晚了"
        )
    assert "该申报刚被他人处理" in exc.value.message
    assert fresh(application).status == ApplicationStatus.CITY


def test_decision_refusals(world, setup):
    project, batch = setup
    application = apply(world.reporter_a, project, batch, amount="100")
    with pytest.raises(ConflictError):  # not forwarded yet
        grant(application, world.office)
    application = drive(application, world.reporter_a, world.office, "province")

    def decide(**kwargs):
        with pytest.raises(ValidationError) as exc:
            services.application_decide(
                actor=world.office, application=application, version=application.version, **kwargs
            )
        return exc.value.message_dict

    errors = decide(approved=True, amount=D("120"), approval_doc="", approval_date=today() + timedelta(days=1))
    assert errors == {
        "amount": ["下达金额不能超过申请金额。"],
        "approval_doc": ["请填写下达文号。"],
        "approval_date": ["下达日期不能晚于今天。"],
    }
    errors = decide(
        approved=True, amount=D("0"), approval_doc="文", approval_date=today(), arrived_on=today() - timedelta(days=1)
    )
    assert errors == {"amount": ["请填写下达金额（大于 0）。"], "arrived_on": ["资金到位日期不能早于下达日期。"]}
    assert decide(approved=True, amount=D("10"), approval_doc="文") == {"approval_date": ["请填写下达日期。"]}
    assert decide(approved=False, reason="  ") == {"reason": ["请填写未入选原因。"]}
    with pytest.raises(PermissionDenied):
        services.application_decide(
            actor=world.reporter_a, application=application, version=application.version, approved=False, reason="x"
        )
    services.application_decide(
        actor=world.office, application=application, version=application.version, approved=False, reason="额度有限"
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.REJECTED and application.rejection_reason == "额度有限"
    # 未入选 frees the batch, and a rejected application cannot be withdrawn any more
    with pytest.raises(ConflictError):
        services.application_withdraw(
            actor=world.reporter_a, application=application, version=application.version, reason="x"
        )


def test_create_refusals(world, setup):
    project, batch = setup
    closed = window(world.office, "已截止批次", opens=-30, closes=-1)
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, project, closed)
    assert exc.value.message_dict == {"batch": ["该批次已于 %s 截止申报。" % closed.deadline.isoformat()]}
    uncoded = make_project(unit=world.unit_a, name="未赋码项目")
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, uncoded, batch)
    assert exc.value.message_dict == {"project": ["项目尚无项目代码：资金申请报告须载明项目代码，请先赋码。"]}
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, project, batch, amount="1000.01")
    assert exc.value.message_dict == {"requested_amount": ["申请金额不能超过项目总投资。"]}
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, project, batch, amount="0")
    assert exc.value.message_dict == {"requested_amount": ["申请金额须大于 0。"]}
    with pytest.raises(PermissionDenied) as exc:
        apply(world.reporter_b, project, batch)
    assert str(exc.value) == "该项目不在您的管理范围内。"
    foreign = window(world.foreign_office, "邻区批次")
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, project, foreign)
    assert exc.value.message_dict == {"batch": ["该申报批次不存在或已停用。"]}
    with pytest.raises(PermissionDenied):
        apply(world.sponsor, project, batch)
    apply(world.reporter_a, project, batch)
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, project, batch)
    assert "该项目已申报此批次" in messages_of(exc)


def test_checklist_per_channel(world, setup):
    project, _batch = setup
    labels = {c: [str(label) for _k, label in services.CHANNEL_DOCUMENTS[c]] for c in Channel.values}
    bond = window(world.office, "专项债第三批", Channel.SPECIAL_BOND)
    assert bond.required_documents == ["implementation_plan", "financial_assessment", "legal_opinion", "approval_doc"]
    assert [label for _k, label in services.document_labels(bond)] == [
        "实施方案",
        "财务评估报告",
        "法律意见书",
        "可研批复",
    ]
    assert labels[Channel.SPECIAL_BOND] == ["实施方案", "财务评估报告", "法律意见书", "可研批复"]
    major = window(world.office, "两重第一批", Channel.LONG_BOND_MAJOR)
    assert [label for _k, label in services.document_labels(major)] == [
        "资金申请报告",
        "审批、核准或备案文件",
        "绩效目标表",
    ]
    # the office's own list: a channel key keeps its label, a written entry is its own label
    custom = window(
        world.office, "省级专项", Channel.PROVINCIAL, required_documents=["application_report", "节能审查意见"]
    )
    assert services.document_labels(custom) == [("application_report", "申报书"), ("节能审查意见", "节能审查意见")]
    application = apply(world.reporter_a, project, bond)
    assert [k for k, _l in services.missing_documents(application)] == bond.required_documents
    with pytest.raises(ValidationError) as exc:
        services.application_file_add(actor=world.reporter_a, application=application, doc_key="x", uploaded=pdf())
    assert exc.value.message_dict == {"doc_key": ["该批次的材料清单中没有此项。"]}
    services.application_file_add(
        actor=world.reporter_a, application=application, doc_key="legal_opinion", uploaded=pdf("legal")
    )
    assert "legal_opinion" not in dict(services.missing_documents(application))
    with pytest.raises(ValidationError) as exc:
        services.application_advance(actor=world.reporter_a, application=application, version=application.version)
    assert messages_of(exc) == "申报材料不全，还缺：实施方案、财务评估报告、可研批复。"
    application = drive(application, world.reporter_a, world.office, "city")
    with pytest.raises(ApplicationError) as exc:
        services.application_file_add(
            actor=world.reporter_a, application=application, doc_key="legal_opinion", uploaded=pdf()
        )
    assert messages_of(exc) == "申报已转报，材料不能再修改。"


def test_duplicate_central_money(world, setup):
    project, municipal = setup
    central = window(world.office, "中央预算内城市更新第一批", Channel.CENTRAL_BUDGET)
    major = window(world.office, "两重第一批", Channel.LONG_BOND_MAJOR)
    first = apply(world.reporter_a, project, central)
    assert list(services.duplicates(project, major)) == [first]
    assert list(services.duplicates(project, municipal)) == []  # only central money is checked
    with pytest.raises(ValidationError) as exc:
        apply(world.reporter_a, project, major)
    assert exc.value.message_dict == {
        "other_funds_statement": [
            "该项目本年度已申报中央资金：中央预算内城市更新第一批（编制）。同一项目不得重复申请，如确属不同建设内容，请说明。"
        ]
    }
    apply(world.reporter_a, project, municipal)  # 市级专项: no check
    second = apply(world.reporter_a, project, major, statement="二期管网，与一期建设内容不同")
    assert second.other_funds_statement == "二期管网，与一期建设内容不同"
    # a withdrawn application no longer counts
    services.application_withdraw(actor=world.reporter_a, application=first, version=first.version, reason="改报两重")
    services.application_withdraw(actor=world.reporter_a, application=second, version=second.version, reason="重报")
    assert apply(world.reporter_a, project, major).status == ApplicationStatus.DRAFTING


def test_payments_capped_and_dated_after_approval(world, setup):
    project, batch = setup
    application = drive(apply(world.reporter_a, project, batch), world.reporter_a, world.office, "city")
    with pytest.raises(ApplicationError) as exc:
        services.payment_add(actor=world.office, application=application, paid_on=today(), amount=D("10"))
    assert messages_of(exc) == "资金下达后才能登记支付。"
    application = grant(application, world.office, amount="80", approval_date=today() - timedelta(days=10))

    def refused(**kwargs):
        with pytest.raises(ValidationError) as exc:
            services.payment_add(actor=world.office, application=application, **kwargs)
        return exc.value.message_dict

    assert refused(paid_on=today() - timedelta(days=11), amount=D("10")) == {"paid_on": ["支付日期不能早于下达日期。"]}
    assert refused(paid_on=today() + timedelta(days=1), amount=D("10")) == {"paid_on": ["支付日期不能晚于今天。"]}
    assert refused(paid_on=today(), amount=D("0")) == {"amount": ["支付金额须大于 0。"]}
    services.payment_add(
        actor=world.office, application=application, paid_on=today() - timedelta(days=10), amount=D("50")
    )
    # SQLite sums to "50", PostgreSQL to "50.00" (see the report: the service should quantize)
    (message,) = refused(paid_on=today(), amount=D("30.01"))["amount"]
    assert re.fullmatch(r"累计支付将超过下达金额（已支付 50(\.00)? 万元，下达 80\.00 万元）。", message), message
    services.payment_add(actor=world.office, application=application, paid_on=today(), amount=D("30"))
    assert FundPayment.objects.filter(application=application).count() == 2
    with pytest.raises(PermissionDenied):  # the unit does not record payments
        services.payment_add(actor=world.reporter_a, application=application, paid_on=today(), amount=D("1"))


def test_remind_batches_once_per_batch_and_deadline(world, setup):
    project, _batch = setup  # eligible for every window below (no condition)
    soon = window(world.office, "即将截止的批次", closes=3)
    window(world.office, "远期批次", closes=30)
    window(world.office, "已截止批次", opens=-30, closes=-1)
    window(world.foreign_office, "邻区即将截止批次", closes=2, is_active=False)
    assert services.remind_batches() == 1
    assert services.remind_batches() == 0  # once per batch and deadline
    reminder = BatchReminder.objects.get()
    assert reminder.batch == soon and reminder.deadline == soon.deadline
    told = set(reminder.notified)
    assert {world.office.pk, world.reporter_a.pk, world.approver_a.pk} <= told
    assert world.reporter_b.pk not in told and world.foreign_office.pk not in told  # 乙 has no eligible project
    title = "资金申报即将截止（%s）：即将截止的批次" % soon.deadline.isoformat()
    assert Notification.objects.filter(user=world.reporter_a, title=title).count() == 1
    # a new deadline is a new reminder
    soon = services.batch_save(
        actor=world.office,
        batch=fresh(soon),
        version=soon.version,
        data={"deadline": soon.deadline + timedelta(days=2)},
    )
    assert services.remind_batches() == 1
    assert BatchReminder.objects.filter(batch=soon).count() == 2
    # outside the window of FundsSettings.remind_days nothing is sent
    services.settings_save(actor=world.office, version=None, data={"remind_days": 1})
    assert FundsSettings.current().remind_days == 1
    assert services.remind_batches(today() - timedelta(days=30)) == 0


def test_prep_save_conflict_and_scope(world, setup):
    project, _batch = setup
    prep = services.prep_save(actor=world.reporter_a, project=project, version=None, data={"prep_stage": "feasibility"})
    assert prep.pk and prep.prep_stage == "feasibility"
    seen = prep.version
    services.prep_save(
        actor=world.approver_a, project=fresh(project), version=seen, data={"land_secured": True, "note": " 已摘牌 "}
    )
    row = ProjectPrep.objects.get(project=project)
    assert row.land_secured and row.note == "已摘牌" and row.prep_stage == "feasibility"
    with pytest.raises(ConflictError):  # the version the reporter saw is stale
        services.prep_save(actor=world.reporter_a, project=fresh(project), version=seen, data={"prep_stage": "ready"})
    with pytest.raises(ConflictError):  # "first save" while someone created it meanwhile
        services.prep_save(actor=world.reporter_a, project=fresh(project), version=0, data={"prep_stage": "ready"})
    assert ProjectPrep.objects.get(project=project).prep_stage == "feasibility"
    other = coded(world.unit_a, "另一个项目")
    with pytest.raises(ApplicationError) as exc:  # a version for a record that does not exist (deleted meanwhile)
        services.prep_save(actor=world.reporter_a, project=other, version=3, data={"prep_stage": "ready"})
    assert exc.value.code == "conflict" and exc.value.message == "该项目的谋划与储备信息刚被他人创建，请刷新后重试。"
    with pytest.raises(PermissionDenied) as exc:
        services.prep_save(actor=world.reporter_b, project=project, version=None, data={"prep_stage": "ready"})
    assert str(exc.value) == "该项目不在您的管理范围内。"
    with pytest.raises(ValidationError):
        services.prep_save(actor=world.reporter_a, project=other, version=None, data={"capital_in_place": D("-1")})


def test_stats_locked_after_submission_for_everyone(world, setup):
    project, _batch = setup
    tongji = bureau(world.office_unit)
    row = figure(tongji, project, "120", note="联网直报")
    row = services.stats_save(
        actor=tongji,
        project=project,
        month=last_month(),
        stats_investment=D("130"),
        in_database=True,
        version=row.version,
    )
    assert fresh(row).stats_investment == D("130")  # before submission the bureau may correct it freely
    row = services.stats_submit(actor=tongji, figure=fresh(row), version=row.version)
    assert row.submitted_at is not None
    stamp = timezone.localtime(row.submitted_at).strftime("%Y-%m-%d %H:%M")
    locked = "%s 的统计口径数据已于 %s 报送，已锁定，不能修改。如需更正，请以“更正报送”提交并说明理由。" % (
        f"{last_month():%Y-%m}",
        stamp,
    )
    with pytest.raises(ApplicationError) as exc:
        figure(tongji, project, "1")
    assert exc.value.code == "locked" and exc.value.message == locked
    # the leaders and the 项目办 are refused outright (no role may write a 统计口径 figure but the bureau)
    for actor in (world.leader, world.office, world.sponsor, world.reporter_a):
        with pytest.raises(PermissionDenied) as exc:
            figure(actor, project, "1")
        assert str(exc.value) == "只有统计局可以录入统计口径数据。"
        with pytest.raises(PermissionDenied) as exc:
            services.stats_submit(actor=actor, figure=fresh(row), version=row.version, correction_reason="改")
        assert str(exc.value) == "只有统计局可以报送统计口径数据。"
    assert fresh(row).stats_investment == D("130")


def test_stats_correction_needs_a_reason_and_is_in_history(world, setup):
    project, _batch = setup
    tongji = bureau(world.office_unit)
    row = figure(tongji, project, "120")
    row = services.stats_submit(actor=tongji, figure=fresh(row), version=row.version)
    with pytest.raises(ValidationError) as exc:
        services.stats_submit(actor=tongji, figure=fresh(row), version=row.version, stats_investment=D("90"))
    assert exc.value.message_dict == {"correction_reason": ["已报送的数据更正须说明理由。"]}
    with pytest.raises(ConflictError):
        services.stats_submit(
            actor=tongji, figure=fresh(row), version=row.version - 1, correction_reason="漏报", stats_investment=D("90")
        )
    services.stats_submit(
        actor=tongji, figure=fresh(row), version=row.version, correction_reason="联网直报更正", stats_investment=D("90")
    )
    assert fresh(row).stats_investment == D("90")
    change = ObjectChange.objects.filter(changed_object_id=row.pk, message__startswith="更正报送").get()
    assert change.message == "更正报送：联网直报更正"
    assert change.prechange_data["stats_investment"] in ("120.00", 120, "120")
    # another district's bureau cannot reach it; a future month is refused
    far = bureau(world.foreign_unit, "far_tongji")
    with pytest.raises(PermissionDenied):
        services.stats_submit(actor=far, figure=fresh(row), version=fresh(row).version, correction_reason="x")
    next_month = (today().replace(day=28) + timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError) as exc:
        figure(tongji, project, "1", month=next_month)
    assert exc.value.message_dict == {"month": ["不能录入未来月份的统计数据。"]}


def test_batch_save_rules_and_scope(world):
    with pytest.raises(ValidationError) as exc:
        window(world.office, "日期颠倒", opens=5, closes=1)
    assert "申报截止不能早于申报开始" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        window(world.office, "规模颠倒", min_total_investment=D("500"), max_total_investment=D("100"))
    assert "总投资上限不能低于下限" in messages_of(exc)
    batch = window(world.office, "两新第一批", Channel.LONG_BOND_NEW)
    assert batch.organiser == world.office_unit
    with pytest.raises(PermissionDenied):
        services.batch_save(actor=world.reporter_a, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.batch_save(actor=world.foreign_office, batch=batch, version=batch.version, data={"name": "改名"})
    assert FundingBatch.objects.get(pk=batch.pk).name == "两新第一批"
    assert ApplicationEvent.objects.count() == 0
