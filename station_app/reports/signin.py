"""A generic A4 sign-in sheet (签到表): a training session's, or an activity's roster for the day.

Plain data in (:class:`SigninSheet`, built by a service such as
``services.training.signin_sheet_data``), a PDF out. The sheet opens with its title and a block
of facts (主题, 时间, 地点 …), then one table per section (one per shift; a training has one),
each ending with a few blank rows for people who come without having signed up. A table that
runs over a page continues on the next with its header row repeated; every page carries the
footer and "第 x 页 共 y 页". Phones are masked here whatever the caller passed; fonts are the
bundled ones, embedded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from ..services.masking import mask_phone
from .cjk import enable_chinese_line_breaking
from .fonts import HEI, KAI, font_for, register_fonts


@dataclass(frozen=True)
class SigninRow:
    number: int
    name: str
    volunteer_no: str
    phone: str  # masked again when printed
    note: str = ""


@dataclass(frozen=True)
class SigninSection:
    heading: str  # e.g. one per shift: "上午班 09:00–12:00（需 6 人）"; "" for a sheet with one list
    rows: list[SigninRow]


@dataclass(frozen=True)
class SigninSheet:
    title: str
    facts: list[tuple[str, str]]  # (label, value): 培训主题, 类型, 讲师, 地点, 时间, 学时 …
    sections: list[SigninSection]
    footer: str = ""


BLANK_ROWS = 3  # per section, for walk-ins

WORDING = {
    "columns": ("序号", "姓名", "志愿者编号", "联系电话", "备注", "签到时间", "签退时间", "本人签名"),
    "continued": "{title}（续）",
    "page": "第 {page} 页 共 {total} 页",
    "count": "共 {n} 人",
}

LOOK = {
    "margin": 14 * mm,
    "top": 14 * mm,
    "bottom": 16 * mm,
    # 序号, 姓名, 志愿者编号, 联系电话, 备注, 签到时间, 签退时间, 本人签名 (takes the rest)
    "widths": (10 * mm, 22 * mm, 30 * mm, 25 * mm, 24 * mm, 18 * mm, 18 * mm),
    "row_height": 10 * mm,
    "header_height": 8 * mm,
    "ink": colors.HexColor("#222222"),
    "muted": colors.HexColor("#666666"),
    "rule": colors.HexColor("#444444"),
    "header_fill": colors.HexColor("#e8e8e8"),
    "section_fill": colors.HexColor("#f4f4f4"),
    "title_size": 18,
    "body_size": 10,
}


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    size = LOOK["body_size"]
    base = ParagraphStyle("base", fontName=HEI, fontSize=size, leading=size * 1.35, textColor=LOOK["ink"],
                          wordWrap="CJK", alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=LOOK["title_size"], leading=LOOK["title_size"] * 1.3,
                                alignment=TA_CENTER),
        "label": ParagraphStyle("label", parent=base, textColor=LOOK["muted"]),
        "value": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=size - 0.5, leading=(size - 0.5) * 1.2),
        "section": ParagraphStyle("section", parent=base, fontSize=size + 1, leading=(size + 1) * 1.3),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph in ``style``'s font, or in WenKai when that font lacks a character (䶮, 𠮷)."""
    if font_for(text, style.fontName) != style.fontName:
        style = ParagraphStyle(style.name + "-kai", parent=style, fontName=KAI)
    return Paragraph(escape(text.strip()).replace("\n", "<br/>"), style)


def _canvas_class(footer: str, continued: str):  # noqa: ANN202 - a Canvas subclass
    """A canvas that holds its pages back until the end, so each can say how many there are."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - ReportLab's signature
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, _height = A4
            margin = LOOK["margin"]
            y = LOOK["bottom"] - 8 * mm
            self.saveState()
            self.setStrokeColor(LOOK["rule"])
            self.setLineWidth(0.4)
            self.line(margin, y + 4 * mm, width - margin, y + 4 * mm)
            self.setFillColor(LOOK["muted"])
            if footer:
                self.setFont(font_for(footer, HEI), 8.5)
                self.drawString(margin, y, footer)
            self.setFont(HEI, 8.5)
            self.drawRightString(width - margin, y, WORDING["page"].format(page=number, total=total))
            if number > 1 and continued:
                self.setFont(font_for(continued, HEI), 9)
                self.drawString(margin, A4[1] - LOOK["top"] + 3 * mm, continued)
            self.restoreState()

    return NumberedCanvas


def _facts_table(facts: list[tuple[str, str]], width: float, st: dict[str, ParagraphStyle]) -> Table:
    """Facts two to a line: label, value, label, value (a long value gets a line of its own)."""
    label_width = 20 * mm
    value_width = width / 2 - label_width
    rows: list[list] = []
    spans: list[tuple] = []
    pending: list = []
    for label, value in facts:
        cells = [_para(label, st["label"]), _para(value or "—", st["value"])]
        if len(value) > 22:  # too long for half a line
            if pending:
                rows.append(pending + ["", ""])
                pending = []
            spans.append(("SPAN", (1, len(rows)), (3, len(rows))))
            rows.append(cells + ["", ""])
        elif pending:
            rows.append(pending + cells)
            pending = []
        else:
            pending = cells
    if pending:
        rows.append(pending + ["", ""])
    table = Table(rows or [["", "", "", ""]], colWidths=[label_width, value_width, label_width, value_width])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        *spans,
    ]))
    return table


def _section_table(section: SigninSection, width: float, st: dict[str, ParagraphStyle], blank_rows: int) -> Table:
    widths = list(LOOK["widths"])
    widths.append(width - sum(widths))
    columns = len(widths)
    header = [_para(c, st["cell"]) for c in WORDING["columns"]]
    data: list[list] = []
    heights: list[float] = []
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("FONTSIZE", (0, 0), (-1, -1), LOOK["body_size"] - 0.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, LOOK["rule"]),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if section.heading:
        count = WORDING["count"].format(n=len(section.rows))
        data.append([_para(f"{section.heading}　{count}", st["section"])] + [""] * (columns - 1))
        heights.append(LOOK["header_height"])
        commands += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), LOOK["section_fill"])]
    header_row = len(data)
    data.append(header)
    heights.append(LOOK["header_height"])
    commands.append(("BACKGROUND", (0, header_row), (-1, header_row), LOOK["header_fill"]))
    for row in section.rows:
        data.append([
            str(row.number), _para(row.name, st["cell"]), row.volunteer_no, mask_phone(row.phone) if row.phone else "",
            _para(row.note, st["cell"]) if row.note else "", "", "", "",
        ])
        heights.append(LOOK["row_height"])
    for n in range(blank_rows):
        data.append([str(len(section.rows) + n + 1)] + [""] * (columns - 1))
        heights.append(LOOK["row_height"])
    commands.append(("ALIGN", (0, header_row), (0, -1), "CENTER"))
    return Table(data, colWidths=widths, rowHeights=heights, repeatRows=header_row + 1, style=TableStyle(commands))


def signin_sheet(sheet: SigninSheet, path: str | Path, *, blank_rows: int = BLANK_ROWS) -> Path:
    """Write the sheet as an A4 PDF at ``path`` (fonts embedded); returns the path."""
    register_fonts()
    enable_chinese_line_breaking()
    path = Path(path)
    margin = LOOK["margin"]
    doc = BaseDocTemplate(
        str(path), pagesize=A4, title=sheet.title, subject="签到表", creator="Station App",
        leftMargin=margin, rightMargin=margin, topMargin=LOOK["top"], bottomMargin=LOOK["bottom"],
        initialFontName=HEI, initialFontSize=LOOK["body_size"],
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="content",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame])])
    st = _styles()
    story: list = [_para(sheet.title, st["title"]), Spacer(1, 4 * mm)]
    if sheet.facts:
        story += [_facts_table(sheet.facts, doc.width, st), Spacer(1, 4 * mm)]
    for section in sheet.sections or [SigninSection("", [])]:
        story += [_section_table(section, doc.width, st, blank_rows), Spacer(1, 5 * mm)]
    continued = WORDING["continued"].format(title=sheet.title)
    doc.build(story, canvasmaker=_canvas_class(sheet.footer, continued))
    return path
