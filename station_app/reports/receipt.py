"""The time-bank receipt (兑换凭证), and the receipt of a reversal (冲正凭证), on an A5 page.

Plain data in (:class:`Receipt`, built by ``services.timebank.receipt``), a PDF out: the station,
the receipt number, the volunteer's name and volunteer number (never an ID number or a phone),
the service, quantity and hours, who provided it, the date, the balance after the entry, the
recorder, and lines for the volunteer's and the recorder's signatures. A reversal names the
receipt it reverses. Fonts are the bundled ones, embedded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from .cjk import enable_chinese_line_breaking
from .fonts import HEI, KAI, font_for, register_fonts


@dataclass(frozen=True)
class Receipt:
    station_name: str
    receipt_no: str
    kind: str  # redeem / reversal
    volunteer_name: str
    volunteer_no: str
    service_name: str
    quantity: int
    hours: str  # "4", "1.5"
    provider: str
    received_on: date
    balance_after: str
    recorder: str
    entered_on: date
    note: str = ""  # a reversal: its reason
    original_receipt_no: str = ""  # a reversal: the receipt it reverses


WORDING = {
    "redeem": "志愿服务时长兑换凭证",
    "reversal": "志愿服务时长冲正凭证",
    "number": "凭证编号：{no}",
    "rows": {
        "redeem": (
            ("志愿者", "{volunteer_name}"), ("志愿者编号", "{volunteer_no}"), ("兑换服务", "{service_name}"),
            ("数量", "{quantity} 次"), ("兑换时长", "{hours} 小时"), ("服务提供方", "{provider}"),
            ("接受服务日期", "{received_on}"), ("兑换后余额", "{balance_after} 小时"), ("经办人", "{recorder}"),
            ("登记日期", "{entered_on}"), ("备注", "{note}"),
        ),
        "reversal": (
            ("原凭证编号", "{original_receipt_no}"), ("志愿者", "{volunteer_name}"), ("志愿者编号", "{volunteer_no}"),
            ("冲正服务", "{service_name}"), ("数量", "{quantity} 次"), ("退回时长", "{hours} 小时"),
            ("服务提供方", "{provider}"), ("冲正日期", "{received_on}"), ("冲正原因", "{note}"),
            ("冲正后余额", "{balance_after} 小时"), ("经办人", "{recorder}"), ("登记日期", "{entered_on}"),
        ),
    },
    "signatures": ("志愿者签名：", "经办人签名：", "日期："),
    "footnote": "时长兑换只减少可兑换余额，不影响累计服务时长和星级认定。本凭证一式两份，志愿者与服务站各执一份。",
}

LOOK = {
    "margin": 14 * mm,
    "label_width": 28 * mm,
    "row_height": 8.5 * mm,
    "ink": colors.HexColor("#222222"),
    "muted": colors.HexColor("#666666"),
    "rule": colors.HexColor("#444444"),
    "label_fill": colors.HexColor("#f0f0f0"),
    "title_size": 15,
    "body_size": 10,
}


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    size = LOOK["body_size"]
    base = ParagraphStyle("base", fontName=HEI, fontSize=size, leading=size * 1.35, textColor=LOOK["ink"],
                          wordWrap="CJK", alignment=TA_LEFT)
    return {
        "station": ParagraphStyle("station", parent=base, fontSize=size + 1, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=LOOK["title_size"], leading=LOOK["title_size"] * 1.3,
                                alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", parent=base, textColor=LOOK["muted"]),
        "value": base,
        "note": ParagraphStyle("note", parent=base, fontSize=size - 2, leading=(size - 2) * 1.4,
                               textColor=LOOK["muted"]),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph in ``style``'s font, or in WenKai when that font lacks a character (䶮, 𠮷)."""
    if font_for(text, style.fontName) != style.fontName:
        style = ParagraphStyle(style.name + "-kai", parent=style, fontName=KAI)
    return Paragraph(escape(text.strip()).replace("\n", "<br/>"), style)


def _values(data: Receipt) -> dict[str, str]:
    return {
        "volunteer_name": data.volunteer_name, "volunteer_no": data.volunteer_no or "—",
        "service_name": data.service_name, "quantity": str(data.quantity), "hours": data.hours,
        "provider": data.provider, "received_on": data.received_on.isoformat(), "balance_after": data.balance_after,
        "recorder": data.recorder, "entered_on": data.entered_on.isoformat(), "note": data.note or "—",
        "original_receipt_no": data.original_receipt_no or "—",
    }


def _facts(data: Receipt, width: float, st: dict[str, ParagraphStyle]) -> Table:
    values = _values(data)
    rows = [[_para(label, st["label"]), _para(template.format(**values), st["value"])]
            for label, template in WORDING["rows"][data.kind]]
    table = Table(rows, colWidths=[LOOK["label_width"], width - LOOK["label_width"]])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("GRID", (0, 0), (-1, -1), 0.5, LOOK["rule"]),
        ("BACKGROUND", (0, 0), (0, -1), LOOK["label_fill"]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _signatures(width: float, st: dict[str, ParagraphStyle]) -> Table:
    labels = WORDING["signatures"]
    widths = [width * 0.36, width * 0.36, width * 0.28]
    table = Table([[_para(label, st["value"]) for label in labels]], colWidths=widths, rowHeights=[14 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, LOOK["rule"]),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


def write_receipt(data: Receipt, path: str | Path) -> Path:
    """Write the receipt as an A5 PDF at ``path`` (fonts embedded); returns the path."""
    register_fonts()
    enable_chinese_line_breaking()
    path = Path(path)
    margin = LOOK["margin"]
    title = WORDING[data.kind]
    doc = BaseDocTemplate(
        str(path), pagesize=A5, title=f"{title} {data.receipt_no}", author=data.station_name, subject=title,
        creator="Station App", leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
        initialFontName=HEI, initialFontSize=LOOK["body_size"],
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="content",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="receipt", frames=[frame])])
    st = _styles()
    story = [
        _para(data.station_name, st["station"]),
        Spacer(1, 1.5 * mm),
        _para(title, st["title"]),
        Spacer(1, 3 * mm),
        _para(WORDING["number"].format(no=data.receipt_no), st["number"]),
        Spacer(1, 2 * mm),
        _facts(data, doc.width, st),
        Spacer(1, 4 * mm),
        _signatures(doc.width, st),
        Spacer(1, 5 * mm),
        _para(WORDING["footnote"], st["note"]),
    ]
    doc.build(story)
    return path
