"""Ledger views (台账) as A4 PDFs: the same document the screen and the Excel export show.

The page is the sign-in sheet's (``reports/signin.py``): bundled fonts embedded, the title repeated
as "（续）" at the top of every later page, "第 x 页 共 y 页" at the foot, and each table's header
row repeated when it runs over a page. A correction is printed in grey under its record. The
monthly ledger ends with the latest signed checkpoint and the station key's fingerprint at the foot
of its last page, with how to type them into ``verify``.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import TopPadder

from ..services.ledger_export import LedgerDocument, cell_text, document_of
from ..services.ledger_export import Table as DocTable
from .cjk import enable_chinese_line_breaking
from .fonts import HEI, register_fonts
from .signin import LOOK, WORDING, _canvas_class, _facts_table, _para, _styles

SUB_INK = colors.HexColor("#666666")
TOTAL_FILL = colors.HexColor("#f0f0f0")
NOTE_FILL = colors.HexColor("#f7f7f7")
HEADING_ROOM = 30 * mm


def _ledger_styles() -> dict[str, ParagraphStyle]:
    st = _styles()
    cell = st["cell"]
    st["sub"] = ParagraphStyle("sub", parent=cell, textColor=SUB_INK, fontSize=cell.fontSize - 0.5)
    st["number"] = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
    st["subtitle"] = ParagraphStyle("subtitle", parent=st["title"], fontSize=12, leading=16)
    st["note"] = ParagraphStyle("note", parent=cell, fontSize=8.5, leading=11.5)
    return st


KIND_MM = {"date": 20, "hours": 14, "count": 12}  # enough for 2026-12-05 and 1234.75 on one line


def _widths(table: DocTable, total: float) -> list[float]:
    """Fixed widths for dates, numbers and short columns; text columns share the rest by their width."""
    fixed = [c.mm if c.mm is not None else KIND_MM.get(c.kind) for c in table.columns]
    fixed = [f * mm if f is not None else None for f in fixed]
    rest = total - sum(f for f in fixed if f is not None)
    shares = sum(c.width for c, f in zip(table.columns, fixed, strict=True) if f is None)
    if not shares or rest < 20 * mm:  # nothing or too little left: everything by its width
        chars = sum(c.width for c in table.columns) or 1
        return [total * c.width / chars for c in table.columns]
    return [f if f is not None else rest * c.width / shares for c, f in zip(table.columns, fixed, strict=True)]


def _table(table: DocTable, width: float, st: dict[str, ParagraphStyle]) -> list:
    header = [_para(c.title, st["cell"]) for c in table.columns]
    data: list[list] = [header]
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, LOOK["rule"]),
        ("BACKGROUND", (0, 0), (-1, 0), LOOK["header_fill"]),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for row in table.rows:
        data.append(_cells(row.values, table, st, sub=row.sub))
    if not table.rows:
        data.append([_para(table.empty, st["sub"])] + [""] * (len(table.columns) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    if table.totals is not None:
        data.append(_cells(table.totals, table, st))
        last = len(data) - 1
        commands.append(("BACKGROUND", (0, last), (-1, last), TOTAL_FILL))
        label_end = next((n for n, v in enumerate(table.totals) if n and v is not None), len(table.totals)) - 1
        if label_end > 0:  # the label ("合计") over the blank cells after it
            commands.append(("SPAN", (0, last), (label_end, last)))
    heading = _para(f"{table.title}", st["section"])
    grid = Table(data, colWidths=_widths(table, width), repeatRows=1, style=TableStyle(commands))
    # A heading never ends a page alone: it starts a new one unless its table's first rows fit too.
    return [CondPageBreak(HEADING_ROOM), heading, Spacer(1, 1.5 * mm), grid]


def _cells(values: tuple, table: DocTable, st: dict[str, ParagraphStyle], *, sub: bool = False) -> list:
    cells = []
    for value, column in zip(values, table.columns, strict=True):
        text = cell_text(value, column.kind)
        if not text:
            cells.append("")
        elif column.kind in ("hours", "count"):
            cells.append(_para(text, st["sub"] if sub else st["number"]))
        else:
            cells.append(_para(text, st["sub"] if sub else st["cell"]))
    return cells


def _notes(notes: list[str], width: float, st: dict[str, ParagraphStyle]) -> list:
    """The notes in a box pushed to the foot of the last page (a new page when they don't fit)."""
    box = Table([[_para(note, st["note"])] for note in notes], colWidths=[width])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, LOOK["rule"]),
        ("BACKGROUND", (0, 0), (-1, -1), NOTE_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    _width, height = box.wrap(width, A4[1])
    return [CondPageBreak(height + 6 * mm), TopPadder(box)]


def write_pdf(doc_data: LedgerDocument, path: str | Path, *, footer: str = "") -> Path:
    """Write the document as an A4 PDF at ``path`` (fonts embedded); returns the path."""
    register_fonts()
    enable_chinese_line_breaking()
    path = Path(path)
    margin = LOOK["margin"]
    doc = BaseDocTemplate(
        str(path), pagesize=A4, title=doc_data.title, subject="台账", creator="Station App",
        leftMargin=margin, rightMargin=margin, topMargin=LOOK["top"], bottomMargin=LOOK["bottom"],
        initialFontName=HEI, initialFontSize=LOOK["body_size"],
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="content",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="ledger", frames=[frame])])
    st = _ledger_styles()
    story: list = [_para(doc_data.title, st["title"])]
    if doc_data.subtitle:
        story.append(_para(doc_data.subtitle, st["subtitle"]))
    story += [Spacer(1, 3 * mm), _facts_table(doc_data.facts, doc.width, st), Spacer(1, 4 * mm)]
    for table in doc_data.tables:
        story += _table(table, doc.width, st)
        story.append(Spacer(1, 5 * mm))
    if doc_data.notes:
        story += _notes(doc_data.notes, doc.width, st)
    title = f"{doc_data.title}　{doc_data.subtitle}".strip()
    doc.build(story, canvasmaker=_canvas_class(footer, WORDING["continued"].format(title=title)))
    return path


def ledger_pdf(view: object, path: str | Path, *, footer: str = "") -> Path:
    """Any ledger view (or document) as an A4 PDF at ``path``."""
    return write_pdf(document_of(view), path, footer=footer)
