"""Writes of the dispatch's own records: the 序时进度 schedule, the notice style, the notice draft, the notice
template (通报模板: upload, check, preview, 启用, 恢复默认), and publishing.

Every write takes the acting user, runs in a transaction and saves through the model (the change log records it;
edits of an existing row go through `bump_version`, so a stale form raises `ConflictError` and saves nothing).
Permission checks are the views'; the region is always the actor's own (`schedule.home_region`), never one from
the request.
"""

import difflib
import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.locking import bump_version
from tuijin.org.choices import Role
from tuijin.org.models import Membership, Region

from .models import (
    MONTHS,
    NOTICE_TEMPLATE_MAX_BYTES,
    NoticeDraft,
    NoticeStyle,
    NoticeTemplate,
    ProgressSchedule,
    PublishedNotice,
)
from .schedule import home_region, office_name, region_style

__all__ = [
    "NOTICE_PUBLISHED_KIND",
    "Placeholder",
    "TemplateReport",
    "builtin_template_bytes",
    "next_issue_no",
    "notice_draft_get",
    "notice_draft_save",
    "notice_meta_for",
    "notice_publish",
    "notice_readers",
    "notice_style_set",
    "notice_template_activate",
    "notice_template_active",
    "notice_template_check",
    "notice_template_outline",
    "notice_template_reset",
    "notice_template_scan",
    "notice_template_upload",
    "placeholder_list",
    "schedule_clear",
    "schedule_set",
    "schedule_validate",
]

logger = logging.getLogger(__name__)

NOTICE_PUBLISHED_KIND = "notice_published"
READER_ROLES = (Role.UNIT_REPORTER, Role.UNIT_APPROVER, Role.SPONSOR_LEADER, Role.DISTRICT_LEADER)
DRAFT_FIELDS = ("issue_no", "doc_no", "office", "issue_date", "next_steps", "instructions")


# --------------------------------------------------------------------------------------------------------------
# 序时进度


def schedule_validate(values: Sequence[Decimal | None]) -> None:
    """12 cumulative percentages: each 0–100, none below the month before, December exactly 100."""
    errors = []
    if len(values) != 12 or any(v is None for v in values):
        raise ValidationError(_("请填写全部12个月的序时进度。"))
    for month, value in enumerate(values, start=1):
        if value is None:
            continue
        if value < 0 or value > 100:
            errors.append(_("%(m)d月的序时进度应在0到100之间。") % {"m": month})
        elif month > 1 and values[month - 2] is not None and value < values[month - 2]:  # type: ignore[operator]
            errors.append(_("%(m)d月的序时进度不能低于%(p)d月（累计进度只增不减）。") % {"m": month, "p": month - 1})
    if values[11] != 100:
        errors.append(_("12月的序时进度应为100%。"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def schedule_set(
    *, actor, region: Region, year: int, values: list[Decimal], expected_version: int | None = None
) -> ProgressSchedule:
    """Set `region`'s schedule for `year` (creates it, or updates it at `expected_version`)."""
    schedule_validate(values)
    row = ProgressSchedule.objects.select_for_update().filter(region=region, year=year).first()
    if row is None:
        row = ProgressSchedule(region=region, year=year, **dict(zip(MONTHS, values, strict=True)))
        row._changelog_message = _("设置序时进度")
        row.full_clean()
        row.save()
    else:
        for name, value in zip(MONTHS, values, strict=True):
            setattr(row, name, value)
        row._changelog_message = _("修改序时进度")
        row.full_clean()
        bump_version(row, expected_version=expected_version)
    transaction.on_commit(lambda: _relight(year))
    return row


@transaction.atomic
def schedule_clear(*, actor, region: Region, year: int) -> int:
    """Remove `region`'s schedule for `year`: it falls back to month ÷ 12 (or a parent region's schedule)."""
    rows = list(ProgressSchedule.objects.filter(region=region, year=year))
    for row in rows:
        row._changelog_message = _("恢复默认序时进度")
        row.delete()
    if rows:
        transaction.on_commit(lambda: _relight(year))
    return len(rows)


def _relight(year: int) -> None:
    """Re-evaluate the progress lights of the year's months so far (the schedule is their benchmark)."""
    from tuijin.progress.services import period_for_reporting

    from .tasks import evaluate_warnings_task

    current = period_for_reporting()
    last = 12 if year < current.year else current.month if year == current.year else 0
    for month in range(1, last + 1):
        try:
            evaluate_warnings_task.enqueue(f"{year}-{month:02d}")
        except Exception:  # no task backend: the lights follow at the next evaluation
            logger.exception("could not queue the light evaluation of %s-%02d", year, month)


@transaction.atomic
def notice_style_set(
    *, actor, region: Region, office: str, span_style: str, expected_version: int | None = None
) -> NoticeStyle:
    style = NoticeStyle.objects.select_for_update().filter(region=region).first()
    if style is None:
        style = NoticeStyle(region=region, office=office, span_style=span_style)
        style.full_clean()
        style.save()
        return style
    if style.office == office and style.span_style == span_style:
        return style
    style.office, style.span_style = office, span_style
    style.full_clean()
    bump_version(style, expected_version=expected_version)
    return style


# --------------------------------------------------------------------------------------------------------------
# The notice draft


def next_issue_no(region: Region, issue_year: int) -> int:
    """The next 期号 of the issue year in `region` (1 for the year's first notice)."""
    last = PublishedNotice.objects.filter(region=region, issue_year=issue_year).aggregate(n=Max("issue_no"))["n"]
    return (last or 0) + 1


def notice_draft_get(region: Region | None, year: int, month: int) -> NoticeDraft | None:
    if region is None:
        return None
    return NoticeDraft.objects.filter(region=region, year=year, month=month).first()


def notice_meta_for(user, year: int, month: int):
    """The `notice.NoticeMeta` of the user's region for the period: the saved draft, the region's office name, and
    the next issue number when the draft sets none."""
    from .notice import NoticeMeta

    region = home_region(user)
    draft = notice_draft_get(region, year, month)
    meta = NoticeMeta()
    if draft is not None:
        meta = NoticeMeta(**{name: getattr(draft, name) for name in DRAFT_FIELDS})
    if not meta.office:
        meta.office = office_name(region_style(region))
    if meta.issue_no is None and region is not None:
        meta.issue_no = next_issue_no(region, (meta.issue_date or timezone.localdate()).year)
    active = notice_template_active(region)
    if active is not None:
        meta.template = bytes(active.content)
    return meta


@transaction.atomic
def notice_draft_save(
    *, actor, region: Region, year: int, month: int, values: dict[str, Any], expected_version: int | None = None
) -> NoticeDraft:
    """Keep what the 项目办 typed for the period's notice (creates the draft, or updates it at `expected_version`)."""
    draft = NoticeDraft.objects.select_for_update().filter(region=region, year=year, month=month).first()
    clean = {name: values.get(name) for name in DRAFT_FIELDS}
    for name in ("doc_no", "office", "next_steps", "instructions"):
        clean[name] = (clean[name] or "").strip()
    if draft is None:
        draft = NoticeDraft(region=region, year=year, month=month, **clean)
        draft.full_clean()
        draft.save()
        return draft
    if all(getattr(draft, name) == value for name, value in clean.items()):
        return draft
    for name, value in clean.items():
        setattr(draft, name, value)
    draft.full_clean()
    bump_version(draft, expected_version=expected_version)
    return draft


# --------------------------------------------------------------------------------------------------------------
# The notice template (通报模板): the 项目办 uploads its own Word layout; one active template per region


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN_PART = "word/document.xml"
TEMPLATE_MAX_ENTRIES = 1000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOKEN = re.compile(r"\{\{(.*?)\}\}")
# As notice.notice_docx finds a block placeholder: a body paragraph whose whole text is the placeholder.
BLOCK_PARAGRAPH = re.compile(r"\s*\{\{\s*(\S+?)\s*\}\}\s*")
BLOCK, INLINE = "block", "inline"

# What each placeholder becomes. The names come from the code (notice.PLACEHOLDERS for the blocks, the keys of
# notice._inline_values for the inline ones); a test checks that every name has its line here.
BLOCK_DESCRIPTIONS = {
    "标题": _lazy("通报标题，整段替换并保留该段格式"),
    "领导批示": _lazy("领导批示（在通报页面填写）；未填写时该段删除"),
    "总体情况": _lazy("总体情况：项目数、总投资、年度计划、完成投资、完成率与序时进度比较，含总体表和图表"),
    "分类情况": _lazy("分类推进情况：按领域、类别等分组的计划与完成情况表"),
    "开工情况": _lazy("开工竣工情况：计划开工、已开工、竣工的项目数与清单"),
    "排名": _lazy("排名情况：责任单位排名表、十快十慢项目及图表"),
    "红黄灯": _lazy("预警亮灯情况：红灯、黄灯项目清单"),
    "主要问题": _lazy("存在的主要问题：各单位月报中上报的问题"),
    "下一步工作": _lazy("下一步工作要求（在通报页面填写），每行一段"),
}
INLINE_DESCRIPTIONS = {
    "年度": _lazy("报告期所在年度"),
    "期间": _lazy("报告期的月份范围（写法按序时进度设置中的“月份写法”）"),
    "日期": _lazy("印发日期（在通报页面设置；未设置时为生成当天）"),
    "标题": _lazy("通报标题"),
    "期号": _lazy("期号（未编号时为“第　期”）"),
    "文号": _lazy("文号（在通报页面填写，可为空）"),
    "发文单位": _lazy("发文单位（在通报页面或序时进度设置中填写）"),
}


@dataclass(frozen=True)
class Placeholder:
    name: str
    kind: str  # BLOCK (a paragraph of its own, replaced by a section) or INLINE (replaced inside any text)
    becomes: str
    example: str = ""
    heading: str = ""  # the built-in template's heading above a block

    @property
    def token(self) -> str:
        return "{{" + self.name + "}}"


def _block_names() -> list[str]:
    from .notice import PLACEHOLDERS

    return list(PLACEHOLDERS)


def _inline_samples(user=None, year: int | None = None, month: int | None = None) -> dict[str, str]:
    """{name: value} of the inline placeholders, computed by the notice's own code for the user's region and the
    period (the current reporting period by default), without gathering any figures."""
    from tuijin.progress.services import period_for_reporting

    from .notice import NoticeData, _inline_values
    from .schedule import SchedulePeriod, user_period

    if year is None or month is None:
        current = period_for_reporting()
        year, month = current.year, current.month
    if user is not None:
        period = user_period(user, year, month)
        meta = notice_meta_for(user, year, month)
        meta.template = None
    else:
        from .notice import NoticeMeta

        period, meta = SchedulePeriod(year, month), NoticeMeta()
    sample = NoticeData(
        period=period,
        summary=None,  # type: ignore[arg-type]  # the inline values read only the period and the meta
        starts=None,  # type: ignore[arg-type]
        missing=None,  # type: ignore[arg-type]
        problems=[],
        generated_on=timezone.localdate(),
        meta=meta,
    )
    return {key[2:-2]: value for key, value in _inline_values(sample).items()}


def placeholder_list(user=None, year: int | None = None, month: int | None = None) -> list[Placeholder]:
    """Every placeholder a template may use, block ones first, each with what it becomes (and, for the inline
    ones, the value it would have now)."""
    from .notice import SECTION_HEADINGS

    items = [
        Placeholder(name, BLOCK, str(BLOCK_DESCRIPTIONS.get(name, "")), heading=SECTION_HEADINGS.get(name, ""))
        for name in _block_names()
    ]
    for name, value in _inline_samples(user, year, month).items():
        items.append(Placeholder(name, INLINE, str(INLINE_DESCRIPTIONS.get(name, "")), example=value))
    return items


@dataclass
class TemplateReport:
    """What a template's placeholders will do: unknown ones (left as written), block ones out of place (not
    replaced), and sections that have no placeholder (left out of the notice)."""

    unknown: list[tuple[str, str]] = field(default_factory=list)  # (as written, the likely intended token or "")
    misplaced: list[str] = field(default_factory=list)  # block tokens not alone in a body paragraph
    missing: list[str] = field(default_factory=list)  # block names without a placeholder paragraph
    blocks: list[str] = field(default_factory=list)  # block names found (in document order)
    inline: list[str] = field(default_factory=list)  # inline names found

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.unknown:
            items = [
                written + (_("（是否应为%(t)s？）") % {"t": hint} if hint else "") for written, hint in self.unknown
            ]
            out.append(
                _("模板中有未识别的占位符，将原样出现在通报中：%(items)s。请对照下方占位符列表修改。")
                % {"items": "、".join(items)}
            )
        if self.misplaced:
            out.append(
                _(
                    "以下占位符必须单独占一个段落（不能与其他文字同段，也不能放在表格、页眉或页脚中），否则不会被替换："
                    "%(items)s。"
                )
                % {"items": "、".join(self.misplaced)}
            )
        if self.missing:
            out.append(
                _("模板中没有以下部分的占位符，生成的通报将不包含这些内容：%(items)s。")
                % {"items": "、".join("{{" + name + "}}" for name in self.missing)}
            )
        return out


def _paragraphs_with_place(doc):
    """(paragraph, is a top-level body paragraph) for the body, tables (nested too) and the default header and
    footer of each section — the places notice.notice_docx replaces placeholders in."""

    def in_tables(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        yield paragraph, False
                    yield from in_tables(cell.tables)

    for paragraph in doc.paragraphs:
        yield paragraph, True
    yield from in_tables(doc.tables)
    for section in doc.sections:
        for part in (section.header, section.footer):
            if part.is_linked_to_previous:
                continue
            for paragraph in part.paragraphs:
                yield paragraph, False
            yield from in_tables(part.tables)


def notice_template_scan(doc) -> TemplateReport:
    """The placeholders of a python-docx `Document` checked against the code's lists (see `TemplateReport`)."""
    blocks = _block_names()
    inline = list(_inline_samples().keys())
    known = [*blocks, *inline]
    report = TemplateReport()
    for paragraph, top_level in _paragraphs_with_place(doc):
        text = paragraph.text
        if "{{" not in text:
            continue
        whole = BLOCK_PARAGRAPH.fullmatch(text) if top_level else None
        if whole and whole.group(1) in blocks:
            if whole.group(1) not in report.blocks:
                report.blocks.append(whole.group(1))
            continue
        for match in TOKEN.finditer(text):
            written, name = match.group(0), match.group(1).strip()
            if name in inline and match.group(1) == name:
                if name not in report.inline:
                    report.inline.append(name)
            elif name in blocks and name not in inline:
                if written not in report.misplaced:
                    report.misplaced.append(written)
            elif all(written != seen for seen, _hint in report.unknown):
                hint = name if name in known else next(iter(difflib.get_close_matches(name, known, n=1)), "")
                report.unknown.append((written, "{{" + hint + "}}" if hint else ""))
    report.missing = [
        name for name in blocks if name not in report.blocks and not (name in inline and name in report.inline)
    ]
    return report


def notice_template_check(name: str, data: bytes) -> TemplateReport:
    """Raise ValidationError (one Chinese message) unless `data` (uploaded as `name`) is a Word .docx without
    macros, within the size limit, that python-docx opens; else what its placeholders will do."""
    from docx import Document

    limit_mb = NOTICE_TEMPLATE_MAX_BYTES // (1024 * 1024)
    lower = (name or "").lower()
    if lower.endswith((".docm", ".dotm")):
        raise ValidationError(_("启用宏的 Word 文件（.docm）不能作为模板，请另存为“Word 文档（*.docx）”后上传。"))
    if lower.endswith(".doc") or data.startswith(OLE2_MAGIC):
        raise ValidationError(_("不支持旧版 Word（.doc）文件，请在 Word/WPS 中另存为 .docx 后再上传。"))
    if not lower.endswith(".docx"):
        raise ValidationError(_("请上传 Word 文档（.docx）。"))
    if not data:
        raise ValidationError(_("文件为空。"))
    if len(data) > NOTICE_TEMPLATE_MAX_BYTES:
        raise ValidationError(_("文件超过 %(mb)d MB 的上限，请压缩图片后再上传。") % {"mb": limit_mb})
    not_docx = _("文件不是有效的 Word 文档（.docx）（按文件内容识别），请在 Word/WPS 中另存为 .docx 后再上传。")
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(not_docx)
    from tuijin.utilities.uploads import sniff_type

    if sniff_type(data) != DOCX_CONTENT_TYPE:  # also refuses a zip bomb (sizes and ratios of the members)
        raise ValidationError(not_docx)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > TEMPLATE_MAX_ENTRIES:
            raise ValidationError(_("文件内部结构异常（条目过多），已拒绝。"))
        names = {info.filename for info in infos}
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except ValidationError:
        raise
    except Exception as exc:  # BadZipFile, KeyError, OSError, NotImplementedError (a crafted header) …
        raise ValidationError(not_docx) from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroenabled" in types:
        raise ValidationError(_("文件包含宏，已拒绝。请在 Word/WPS 中另存为不含宏的“Word 文档（*.docx）”后上传。"))
    if DOCX_MAIN_PART not in names:
        raise ValidationError(not_docx)
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx, lxml and zipfile raise many unrelated types
        raise ValidationError(_("无法打开文件：文件已损坏或不是有效的 Word 文档（.docx）。")) from exc
    return notice_template_scan(doc)


def notice_template_read(uploaded) -> tuple[str, bytes]:
    """The upload's file name (without any path) and content, reading at most one byte past the size limit."""
    name = re.split(r"[\\/]", getattr(uploaded, "name", "") or "")[-1]
    return name, uploaded.read(NOTICE_TEMPLATE_MAX_BYTES + 1)


def notice_template_active(region: Region | None) -> NoticeTemplate | None:
    """The region's active uploaded template (None: the notice uses the built-in one)."""
    if region is None:
        return None
    return NoticeTemplate.objects.filter(region=region, is_active=True).select_related("activated_by").first()


def builtin_template_bytes() -> bytes:
    """The built-in layout (notice_templates/notice.docx, or the file of the TUIJIN_NOTICE_TEMPLATE setting)."""
    from .notice import notice_template_path

    return notice_template_path().read_bytes()


@transaction.atomic
def notice_template_upload(
    *, actor, region: Region, name: str, content: bytes
) -> tuple[NoticeTemplate, TemplateReport]:
    """Check the file and keep it as a candidate (not active) of `region`; the same file uploaded again reuses its
    row. Raises ValidationError with a Chinese message; nothing is stored then."""
    report = notice_template_check(name, content)
    digest = hashlib.sha256(content).hexdigest()
    existing = NoticeTemplate.objects.filter(region=region, sha256=digest).first()
    if existing is not None:
        return existing, report
    row = NoticeTemplate(
        region=region,
        name=name[:200] or "template.docx",
        content=content,
        size=len(content),
        sha256=digest,
        uploaded_by=actor,
    )
    row._changelog_message = _("上传通报模板")
    row.full_clean(exclude=["content"])
    row.save()
    return row, report


def _active_label(row: NoticeTemplate | None) -> str:
    return str(row) if row is not None else _("内置模板")


def _check_expected(current: NoticeTemplate | None, expected_active: int | None) -> None:
    """Optimistic locking of the region's choice: the page posts the active template it showed (0: built-in)."""
    now = current.pk if current is not None else 0
    if expected_active is None or int(expected_active) != now:
        raise ConflictError(
            _("通报模板已被他人更改，当前启用的是“%(now)s”，您的操作未执行。") % {"now": _active_label(current)},
            current=current,
        )


def _switch(row: NoticeTemplate, *, active: bool, actor, message: str) -> None:
    row.is_active = active
    if active:
        row.activated_at, row.activated_by = timezone.now(), actor
    row._changelog_message = message
    bump_version(row, expected_version=row.version)


@transaction.atomic
def notice_template_activate(*, actor, template: NoticeTemplate, expected_active: int | None) -> NoticeTemplate:
    """Make `template` its region's active notice layout (the previous one stays in the history). Raises
    ConflictError when the active template is no longer the one the user saw (`expected_active`, 0 = built-in)."""
    actives = list(NoticeTemplate.objects.select_for_update().filter(region_id=template.region_id, is_active=True))
    current = actives[0] if actives else None
    _check_expected(current, expected_active)
    if current is not None and current.pk == template.pk:
        return current
    for row in actives:
        _switch(row, active=False, actor=actor, message=_("停用通报模板"))
    row = NoticeTemplate.objects.select_for_update().get(pk=template.pk)
    _switch(row, active=True, actor=actor, message=_("启用通报模板"))
    return row


@transaction.atomic
def notice_template_reset(*, actor, region: Region, expected_active: int | None) -> int:
    """恢复默认: no uploaded template is active; the region's notices use the built-in layout again."""
    actives = list(NoticeTemplate.objects.select_for_update().filter(region=region, is_active=True))
    _check_expected(actives[0] if actives else None, expected_active)
    for row in actives:
        _switch(row, active=False, actor=actor, message=_("恢复默认通报模板"))
    return len(actives)


def notice_template_render(user, template: NoticeTemplate, year: int, month: int) -> bytes:
    """The period's notice as the user would generate it, laid out by `template` (active or not)."""
    from .notice import build_notice, notice_docx

    meta = notice_meta_for(user, year, month)
    meta.template = bytes(template.content)
    return notice_docx(build_notice(user, year, month, meta=meta))


@dataclass(frozen=True)
class OutlineItem:
    kind: str  # "header", "footer", "paragraph", "table", "picture"
    style: str
    text: str


def notice_template_outline(content: bytes, *, limit: int = 400) -> list[OutlineItem]:
    """A generated DOCX as a list: header and footer text, then each body paragraph (with its style), table (rows
    and header cells) and picture, in document order; at most `limit` items."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(io.BytesIO(content))
    items: list[OutlineItem] = []
    for section in doc.sections[:1]:
        for kind, part in (("header", section.header), ("footer", section.footer)):
            text = " ".join(p.text.strip() for p in part.paragraphs if p.text.strip())
            if text:
                items.append(OutlineItem(kind, "", text))
    for child in doc.element.body.iterchildren():
        if len(items) >= limit:
            items.append(OutlineItem("more", "", _("……（以下从略）")))
            break
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, doc)
            text = paragraph.text.strip()
            style = paragraph.style.name if paragraph.style is not None else ""
            if text:
                items.append(OutlineItem("paragraph", style, text))
            elif child.xpath(".//w:drawing"):
                items.append(OutlineItem("picture", style, _("［图表］")))
        elif child.tag == qn("w:tbl"):
            table = Table(child, doc)
            rows = table.rows
            header = " | ".join(cell.text.strip() for cell in rows[0].cells) if len(rows) else ""
            items.append(OutlineItem("table", "", _("表格（%(n)d行）：%(h)s") % {"n": len(rows), "h": header}))
    return items


# --------------------------------------------------------------------------------------------------------------
# Publishing


def _figures(data) -> dict[str, Any]:
    """The notice's headline figures, frozen with the published issue (strings for Decimals)."""
    s = data.summary
    figures = {
        "period": f"{data.period.year}-{data.period.month:02d}",
        "title": data.title,
        "project_count": s.project_count,
        "total_investment": s.total_investment,
        "total_missing": s.total_missing,
        "plan": s.plan,
        "ytd": s.ytd,
        "rate": s.rate,
        "schedule": s.schedule,
        "delta": s.delta,
        "starts": asdict(s.starts),
        "completions": asdict(s.completions),
        "red": s.red_count or len(s.red),
        "yellow": s.yellow_count or len(s.yellow),
        "expected": data.missing.expected,
        "reported": data.missing.reported,
        "missing": data.missing.missing,
        "units": [
            {"unit": u.label, "rank": u.rank, "plan": u.plan, "ytd": u.ytd, "rate": u.rate} for u in s.unit_ranking
        ],
    }
    return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))


def notice_readers(region: Region) -> list:
    """The users told of a published notice: the units' reporters and approvers and the leaders of the region."""
    memberships = (
        Membership.objects.filter(
            unit__region__path__startswith=region.path, role__in=READER_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    return list({m.user_id: m.user for m in memberships}.values())


def notice_publish(*, actor, year: int, month: int, meta=None) -> PublishedNotice:
    """Publish the period's notice as 第N期: generate DOCX, PDF and XLSX from the saved draft, freeze them with the
    figures, and tell the region's units and leaders. Raises `ApplicationError` with a Chinese message when the
    draft lacks 下一步工作要求 or the issue number is taken."""
    from tuijin.notifications.services import notify

    from .notice import build_notice, notice_docx, notice_filename, notice_pdf, notice_xlsx

    region = home_region(actor)
    if region is None:
        raise ApplicationError(_("您的账户未关联行政区划，无法发布通报。"))
    data = build_notice(actor, year, month, meta=meta)
    if not data.meta.next_steps.strip():
        raise ApplicationError(_("请先填写“下一步工作要求”再发布。"), code="next_steps")
    issue_date = data.meta.issue_date or timezone.localdate()
    data.meta.issue_date = issue_date
    issue_year = issue_date.year
    if data.meta.issue_no is None:
        data.meta.issue_no = next_issue_no(region, issue_year)
    if PublishedNotice.objects.filter(region=region, issue_year=issue_year, issue_no=data.meta.issue_no).exists():
        raise ApplicationError(
            _("%(y)d年第%(n)d期已发布，请更改期号后再发布。") % {"y": issue_year, "n": data.meta.issue_no},
            code="issue_taken",
        )
    files = {
        "docx": notice_docx(data),
        "pdf": notice_pdf(data),
        "xlsx": notice_xlsx(data),
    }
    stem = f"{issue_year}-{data.meta.issue_no:03d}-{timezone.now():%Y%m%d%H%M%S}"
    try:
        with transaction.atomic():
            published = PublishedNotice(
                region=region,
                year=data.period.year,
                month=data.period.month,
                issue_year=issue_year,
                issue_no=data.meta.issue_no,
                doc_no=data.meta.doc_no,
                office=data.office,
                issue_date=issue_date,
                title=data.title,
                next_steps=data.meta.next_steps,
                instructions=data.meta.instructions,
                figures=_figures(data),
                published_by=actor,
                published_at=timezone.now(),
            )
            for fmt, content in files.items():
                getattr(published, fmt).save(
                    f"{stem}{notice_filename(data.period, fmt)[-5:]}", ContentFile(content), save=False
                )
            published._changelog_message = _("发布%(issue)s通报") % {"issue": published.issue_label}
            published.save()
            label = published.issue_label
            notify(
                users=[u for u in notice_readers(region) if u.pk != getattr(actor, "pk", None)],
                title=_("%(issue)s月度调度通报已发布") % {"issue": label},
                body=data.title,
                url=reverse("dispatch:published_notice", args=[published.pk]),
                kind=NOTICE_PUBLISHED_KIND,
                dedup_key=f"notice-published:{published.pk}",
            )
    except IntegrityError:
        raise ApplicationError(
            _("%(y)d年第%(n)d期已发布，请更改期号后再发布。") % {"y": issue_year, "n": data.meta.issue_no},
            code="issue_taken",
        ) from None
    return published


def issue_date_default() -> date:
    return timezone.localdate()
