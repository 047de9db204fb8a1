"""Builds the default layout of the monthly notice, `notice.docx`, next to this script.

The office may replace the file (or point TUIJIN_NOTICE_TEMPLATE at its own .docx). The generator
(`tuijin.dispatch.notice.notice_docx`) looks for paragraphs whose whole text is a placeholder and puts the
generated text, tables and charts in their place, in the placeholder paragraph's style:

    {{标题}} {{领导批示}} {{总体情况}} {{分类情况}} {{开工情况}} {{排名}} {{红黄灯}} {{主要问题}} {{下一步工作}}

and replaces {{年度}}, {{期间}} (e.g. 2026年1—9月), {{日期}} (the issue date set on the notice page, else the date of
generation), {{期号}} (第3期), {{文号}} and {{发文单位}} inside any paragraph, header or footer. An empty section
(no 领导批示) removes its placeholder paragraph. Paragraph styles it uses when the template has them: "通报正文"
(text), "表题" (table and chart titles), "表注" (notes under tables), "表格文字" (table cells); the table style
"Table Grid".

Run:  .venv/bin/python tuijin/dispatch/notice_templates/build_template.py
"""

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

__all__ = ["SECTIONS", "build"]

TARGET = Path(__file__).with_name("notice.docx")

# (heading, placeholder) in document order.
SECTIONS = [
    ("一、总体情况", "{{总体情况}}"),
    ("二、分类推进情况", "{{分类情况}}"),
    ("三、开工竣工情况", "{{开工情况}}"),
    ("四、排名情况", "{{排名}}"),
    ("五、预警亮灯情况", "{{红黄灯}}"),
    ("六、存在的主要问题", "{{主要问题}}"),
    ("七、下一步工作", "{{下一步工作}}"),
]


def _font(style, east_asia: str, size: float, *, bold: bool = False, ascii_font: str = "Times New Roman") -> None:
    style.font.name = ascii_font
    style.font.size = Pt(size)
    style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph_style(doc, name: str, base: str = "Normal"):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    return style


def _page_number(paragraph) -> None:
    """— PAGE — centred in the footer (a Word field, updated when the document opens)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    begin, instruction, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = "PAGE"
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instruction)
    run._r.append(end)
    paragraph.add_run(" —")


def _bottom_rule(style) -> None:
    """A red rule under the paragraph (the line under a notice's masthead)."""
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "CC0000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def build(path: Path = TARGET) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    normal = doc.styles["Normal"]
    _font(normal, "仿宋_GB2312", 16)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)

    body = _paragraph_style(doc, "通报正文")
    body.paragraph_format.first_line_indent = Pt(32)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = _paragraph_style(doc, "通报标题")
    _font(title, "方正小标宋简体", 22)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(12)

    dateline = _paragraph_style(doc, "通报日期")
    _font(dateline, "楷体_GB2312", 16)
    dateline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dateline.paragraph_format.space_after = Pt(12)

    heading = _paragraph_style(doc, "通报一级标题")
    _font(heading, "黑体", 16)
    heading.paragraph_format.first_line_indent = Pt(32)
    heading.paragraph_format.keep_with_next = True

    caption = _paragraph_style(doc, "表题")
    _font(caption, "黑体", 12)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.line_spacing = Pt(20)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.keep_with_next = True

    note = _paragraph_style(doc, "表注")
    _font(note, "楷体_GB2312", 12)
    note.paragraph_format.line_spacing = Pt(20)
    note.paragraph_format.space_after = Pt(6)

    cell = _paragraph_style(doc, "表格文字")
    _font(cell, "宋体", 10.5)
    cell.paragraph_format.line_spacing = 1.0
    cell.paragraph_format.first_line_indent = Pt(0)

    masthead = _paragraph_style(doc, "通报报头")
    _font(masthead, "方正小标宋简体", 26, bold=True)
    masthead.font.color.rgb = RGBColor(0xCC, 0, 0)
    masthead.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    masthead.paragraph_format.line_spacing = Pt(40)

    issue_line = _paragraph_style(doc, "通报期号")
    _font(issue_line, "楷体_GB2312", 16)
    issue_line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    sender = _paragraph_style(doc, "通报发文")
    _font(sender, "楷体_GB2312", 14)
    sender.paragraph_format.space_after = Pt(18)
    _bottom_rule(sender)

    instruction = _paragraph_style(doc, "领导批示")
    _font(instruction, "楷体_GB2312", 16)
    instruction.paragraph_format.first_line_indent = Pt(32)

    doc.add_paragraph("重点项目建设调度通报", style="通报报头")
    doc.add_paragraph("{{期号}}", style="通报期号")
    doc.add_paragraph("{{发文单位}}　{{文号}}　{{日期}}", style="通报发文")
    doc.add_paragraph("{{领导批示}}", style="领导批示")
    doc.add_paragraph("{{标题}}", style="通报标题")
    for heading_text, placeholder in SECTIONS:
        doc.add_paragraph(heading_text, style="通报一级标题")
        doc.add_paragraph(placeholder, style="通报正文")

    _page_number(section.footer.paragraphs[0])
    props = doc.core_properties
    props.title, props.author, props.comments = "月度调度通报模板", "推进", "占位符说明见 build_template.py"
    props.created = props.modified = datetime(2026, 1, 1)  # noqa: DTZ001 (a fixed stamp keeps rebuilds identical)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
