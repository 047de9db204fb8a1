"""Builds `supervision.docx`, the layout of the 督办 documents (会议纪要 and 督办通报), next to this script.

The office may replace the file with its own (a masthead, another font). The writer (`tuijin.supervision.documents`)
puts the whole content in place of the paragraph whose text is `{{正文}}` (at the end of the body when there is
none), and uses these paragraph styles when the template has them, else the template's Normal style:

    督办标题 (the title), 督办副标题 (a dateline under it), 督办一级标题 (一、二、…), 督办正文 (body text),
    督办信息 (the meeting's 时间/地点/主持… lines), 表题 (a table's title), 表格文字 (table cells)

and the table style "Table Grid". Chinese text needs its East Asian font set on each style (w:eastAsia): Word
otherwise falls back to the Latin font for the characters.

Run:  .venv/bin/python tuijin/supervision/docx/build_template.py
"""

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

__all__ = ["PLACEHOLDER", "STYLES", "TARGET", "build"]

TARGET = Path(__file__).with_name("supervision.docx")
PLACEHOLDER = "{{正文}}"
# name → (East Asian font, size in points, bold, centred, first-line indent in points)
STYLES: dict[str, tuple[str, float, bool, bool, float]] = {
    "督办标题": ("方正小标宋简体", 22, False, True, 0),
    "督办副标题": ("楷体_GB2312", 16, False, True, 0),
    "督办一级标题": ("黑体", 16, False, False, 32),
    "督办正文": ("仿宋_GB2312", 16, False, False, 32),
    "督办信息": ("仿宋_GB2312", 16, False, False, 32),
    "表题": ("黑体", 12, False, True, 0),
    "表格文字": ("宋体", 10.5, False, False, 0),
}


def _set_fonts(style, east_asia: str, size: float, bold: bool) -> None:
    style.font.name = "Times New Roman"
    style.font.size = Pt(size)
    style.font.bold = bold
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _footer_page_number(paragraph) -> None:
    """The page number, centred: a PAGE field Word fills in when it lays the document out."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def build(path: Path = TARGET) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    normal = doc.styles["Normal"]
    _set_fonts(normal, "仿宋_GB2312", 16, False)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)

    for name, (east_asia, size, bold, centred, indent) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        _set_fonts(style, east_asia, size, bold)
        layout = style.paragraph_format
        layout.first_line_indent = Pt(indent)
        if centred:
            layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif name == "督办正文":
            layout.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    title = doc.styles["督办标题"].paragraph_format
    title.line_spacing, title.space_after = Pt(36), Pt(12)
    doc.styles["督办副标题"].paragraph_format.space_after = Pt(12)
    doc.styles["督办一级标题"].paragraph_format.keep_with_next = True
    caption = doc.styles["表题"].paragraph_format
    caption.line_spacing, caption.space_before, caption.keep_with_next = Pt(20), Pt(6), True
    doc.styles["表格文字"].paragraph_format.line_spacing = 1.0

    doc.add_paragraph(PLACEHOLDER, style="督办正文")
    _footer_page_number(section.footer.paragraphs[0])
    props = doc.core_properties
    props.title, props.author, props.comments = "督办文书模板", "推进", "样式与占位符见 build_template.py"
    props.created = props.modified = datetime(2026, 1, 1)  # noqa: DTZ001 (a fixed stamp keeps rebuilds identical)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
