"""The ranking of a round as XLSX (one sheet per group, plus every line) and as a DOCX 红黑榜 notice."""

import io

from django.utils.translation import gettext as _

from tuijin.utilities.excel import neutralize, workbook_bytes

from . import selectors
from .models import Round, ScoreLine

__all__ = ["ranking_docx", "ranking_xlsx"]


def _board(score, group) -> str:
    if score.pk in group.red_ids:
        return _("红榜")
    if score.pk in group.black_ids:
        return _("黑榜")
    return ""


def _appeal_note(score) -> str:
    if not score.appealed:
        return ""
    return _("经申诉调整（发布时 %(t)s 分、第 %(r)s 名）") % {"t": score.published_total, "r": score.published_rank}


def ranking_xlsx(round_: Round) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = _("排名")
    headers = [_("分组"), _("名次"), _("单位"), _("总分"), _("可得分"), _("红黑榜"), _("说明")]
    summary.append(headers)
    groups = selectors.ranking(round_)
    for group in groups:
        for score in group.scores:
            summary.append(
                [
                    neutralize(group.group.name),
                    score.rank,
                    neutralize(score.unit.name),
                    score.total,
                    score.available,
                    _board(score, group),
                    neutralize(_appeal_note(score)),
                ]
            )
    lines = book.create_sheet(_("得分明细"))
    lines.append([_("单位"), _("项目"), _("指标"), _("计分说明"), _("得分"), _("满分"), _("申诉调整后"), _("容错")])
    for line in (
        ScoreLine.objects.filter(score__round=round_)
        .select_related("score__unit")
        .order_by("score__group__sort_order", "score__rank", "score__unit__name", "sort_order")
    ):
        lines.append(
            [
                neutralize(line.score.unit.name),
                neutralize(line.label),
                neutralize(line.figure),
                neutralize(line.explanation),
                line.points,
                line.max_points,
                line.appeal_points,
                _("容错免责") if line.neutralised else "",
            ]
        )
    for sheet in (summary, lines):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    return workbook_bytes(book)


def ranking_docx(round_: Round) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    doc.add_heading(_("%(l)s 考核结果通报") % {"l": round_.label}, level=1)
    doc.add_paragraph(
        _("考核办法：%(r)s（第 %(v)d 版）；考核周期：%(s)s 至 %(e)s；状态：%(st)s。")
        % {
            "r": round_.rubric.name,
            "v": round_.rubric_version.number,
            "s": round_.period_start.isoformat(),
            "e": round_.period_end.isoformat(),
            "st": round_.get_status_display(),
        }
    )
    for group in selectors.ranking(round_):
        doc.add_heading(group.group.name, level=2)
        red = [s.unit.name for s in group.scores if s.pk in group.red_ids]
        black = [s.unit.name for s in group.scores if s.pk in group.black_ids]
        if red:
            doc.add_paragraph(_("红榜：%s") % "、".join(red))
        if black:
            doc.add_paragraph(_("黑榜：%s") % "、".join(black))
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, [_("名次"), _("单位"), _("总分"), _("说明")], strict=True):
            cell.text = text
        for score in group.scores:
            row = table.add_row().cells
            row[0].text = str(score.rank or "—")
            row[1].text = score.unit.name
            row[2].text = str(score.total)
            row[3].text = _appeal_note(score)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
