"""志愿服务记录证明 (the proof of a volunteer's service record), A4 portrait, as a PDF.

Modelled on the proof of 民政部《志愿服务记录与证明出具办法》: the certificate number and date,
the volunteer's identity (the ID number arrives masked and is printed as given), the period and
the totals, the body text ("兹证明……"), the service records as a table that continues over as
many pages as it needs (header row repeated, "（续）" at the top of later pages), the trainings and
the honours, and at the end, kept together, the QR code to verify it beside the issuer's block
with the seal over the issuing unit and date. Every page carries the certificate number and
"第 x 页 共 y 页". A reprint carries its note in a box on page 1.

Plain data in (:class:`~station_app.reports.documents.RecordCertificate`), a PDF out; fonts are
the bundled ones, embedded; text a font lacks (䶮) prints in LXGW WenKai.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .cjk import enable_chinese_line_breaking
from .documents import RecordCertificate
from .fonts import HEI, KAI, font_for, register_fonts
from .paging import long_date, numbered_canvas

WORDING = {
    "number": "证明编号：{no}",
    "issued": "出具日期：{date}",
    "identity": (("姓名", "性别"), ("身份证号", "志愿者编号"), ("注册日期", "服务单位")),
    "period": "起止日期",
    "period_value": "{start} 至 {end}",
    "hours": "服务时长合计",
    "hours_value": "{hours} 小时",
    "count": "服务记录",
    "count_value": "共 {n} 条",
    "records": "一、志愿服务记录",
    "records_columns": ("序号", "日期", "服务内容", "服务地点", "时长（小时）"),
    "records_total": "合计（共 {n} 条）",
    "trainings": "二、培训情况",
    "trainings_columns": ("序号", "日期", "培训主题", "类型", "学时（小时）"),
    "honours": "三、嘉许与星级",
    "honours_columns": ("序号", "日期", "名称", "颁发单位", "证书编号"),
    "none": "无",
    "issuer": "出具单位（盖章）",
    "in_charge": "负 责 人：{v}",
    "handler": "经 办 人：{v}",
    "contact": "联系电话：{v}",
    "seal_here": "（盖章处）",
    "scan": "扫码核验",
    "continued": "{title}（续）",
    "who": "{name}　{no}",
    "page": "第 {page} 页 共 {total} 页",
    "subject": "志愿服务记录证明",
}

LOOK = {
    "margin": 20 * mm,
    "top": 20 * mm,  # later pages: room for the running header
    "first_top": 14 * mm,
    "bottom": 20 * mm,
    "ink": colors.HexColor("#1f1f1f"),
    "muted": colors.HexColor("#5f5f5f"),
    "rule": colors.HexColor("#555555"),
    "light_rule": colors.HexColor("#9a9a9a"),
    "header_fill": colors.HexColor("#ececec"),
    "label_fill": colors.HexColor("#f3f3f3"),
    "total_fill": colors.HexColor("#f6f1ea"),
    "band_fill": colors.HexColor("#fbf7f1"),
    "note_ink": colors.HexColor("#b3261e"),
    "note_fill": colors.HexColor("#fdf0ee"),
    "title_size": 24,
    "body_size": 12,
    "cell_size": 9.5,
    # 序号, 日期, (text columns share the rest), the last fixed column
    "records_widths": (11 * mm, 23 * mm, None, None, 23 * mm),
    "records_shares": (0, 0, 5, 3, 0),
    "trainings_widths": (11 * mm, 23 * mm, None, 30 * mm, 23 * mm),
    "honours_widths": (11 * mm, 23 * mm, None, None, 40 * mm),
    "honours_shares": (0, 0, 2, 3, 0),
    "qr": 25 * mm,
    "carried_rows": 6,  # a last section this short moves to a new page with the closing block
    "seal": 34 * mm,
    "bottom_block_height": 34 * mm,
}


# --- small helpers ----------------------------------------------------------------------------------


def _styles(accent: colors.Color) -> dict[str, ParagraphStyle]:
    register_fonts()
    size = LOOK["body_size"]
    cell = LOOK["cell_size"]
    base = ParagraphStyle("rc-base", fontName=HEI, fontSize=size, leading=size * 1.4, textColor=LOOK["ink"],
                          wordWrap="CJK", alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("rc-title", parent=base, fontSize=LOOK["title_size"],
                                leading=LOOK["title_size"] * 1.25, alignment=TA_CENTER, textColor=accent),
        "subtitle": ParagraphStyle("rc-subtitle", parent=base, fontSize=10.5, leading=14, alignment=TA_CENTER,
                                   textColor=LOOK["muted"]),
        "meta": ParagraphStyle("rc-meta", parent=base, fontSize=9.5, leading=13, alignment=TA_RIGHT,
                               textColor=LOOK["ink"]),
        "note": ParagraphStyle("rc-note", parent=base, fontSize=10.5, leading=14, textColor=LOOK["note_ink"]),
        "label": ParagraphStyle("rc-label", parent=base, fontSize=10.5, leading=14, textColor=LOOK["muted"]),
        "value": ParagraphStyle("rc-value", parent=base, fontSize=11, leading=15),
        "band_label": ParagraphStyle("rc-band-label", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER,
                                     textColor=LOOK["muted"]),
        "band_value": ParagraphStyle("rc-band-value", parent=base, fontSize=15, leading=20, alignment=TA_CENTER,
                                     textColor=accent),
        "body": ParagraphStyle("rc-body", parent=base, fontName=KAI, fontSize=size + 0.5, leading=(size + 0.5) * 1.55,
                               firstLineIndent=2 * (size + 0.5)),
        "section": ParagraphStyle("rc-section", parent=base, fontSize=12, leading=16),
        "cell": ParagraphStyle("rc-cell", parent=base, fontSize=cell, leading=cell * 1.3),
        "cell_c": ParagraphStyle("rc-cell-c", parent=base, fontSize=cell, leading=cell * 1.3, alignment=TA_CENTER),
        "cell_r": ParagraphStyle("rc-cell-r", parent=base, fontSize=cell, leading=cell * 1.3, alignment=TA_RIGHT),
        "head": ParagraphStyle("rc-head", parent=base, fontSize=cell, leading=cell * 1.3, alignment=TA_CENTER),
        "none": ParagraphStyle("rc-none", parent=base, fontSize=10.5, leading=14, textColor=LOOK["muted"]),
        "issuer": ParagraphStyle("rc-issuer", parent=base, fontSize=11, leading=17),
        "issuer_c": ParagraphStyle("rc-issuer-c", parent=base, fontSize=11.5, leading=18, alignment=TA_CENTER),
        "qr_text": ParagraphStyle("rc-qr", parent=base, fontSize=8, leading=10.5, alignment=TA_CENTER,
                                  textColor=LOOK["muted"]),
        "footer": ParagraphStyle("rc-footer", parent=base, fontName=KAI, fontSize=9, leading=13,
                                 textColor=LOOK["muted"]),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph in ``style``'s font, or in WenKai when that font lacks a character (䶮, 𠮷)."""
    if style.fontName != KAI and font_for(text, style.fontName) == KAI:
        style = ParagraphStyle(style.name + "-kai", parent=style, fontName=KAI)
    return Paragraph(escape(text.strip()).replace("\n", "<br/>"), style)


def _accent(doc: RecordCertificate) -> colors.Color:
    try:
        return colors.HexColor(doc.wording.accent)
    except (ValueError, TypeError):
        return colors.HexColor("#b22222")


def _widths(fixed: tuple, shares: tuple | None, total: float) -> list[float]:
    rest = total - sum(w for w in fixed if w is not None)
    flexible = [n for n, w in enumerate(fixed) if w is None]
    weights = {n: (shares[n] if shares else 1) for n in flexible}
    weight_sum = sum(weights.values()) or 1
    return [w if w is not None else rest * weights[n] / weight_sum for n, w in enumerate(fixed)]


def _grid_style(extra: list[tuple] | None = None) -> TableStyle:
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),  # not the Helvetica default, which is not embedded
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.45, LOOK["rule"]),
        ("BACKGROUND", (0, 0), (-1, 0), LOOK["header_fill"]),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.3),
        *(extra or []),
    ])


class _Rule(Flowable):
    """The double rule under the title."""

    def __init__(self, width: float, color: colors.Color) -> None:
        super().__init__()
        self.width, self.height, self.color = width, 3.2, color

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(self.color)
        c.setLineWidth(1.4)
        c.line(0, 2.6, self.width, 2.6)
        c.setLineWidth(0.5)
        c.line(0, 0.2, self.width, 0.2)


class _SealedIssuer(Flowable):
    """The issuing unit and the date, centred, with the seal (or a dashed "盖章处" circle) over them."""

    def __init__(self, lines: list[Paragraph], width: float, height: float, seal_png: bytes | None) -> None:
        super().__init__()
        self.lines, self.width, self.height = lines, width, height
        self.seal = ImageReader(io.BytesIO(seal_png)) if seal_png else None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        heights = [p.wrap(self.width, self.height)[1] for p in self.lines]
        block = sum(heights)
        top = (self.height + block) / 2
        diameter = LOOK["seal"]
        cx, cy = self.width / 2, self.height / 2
        if self.seal is None:  # a placeholder under the text
            c.saveState()
            c.setStrokeColor(colors.HexColor("#c8a0a0"))
            c.setLineWidth(0.7)
            c.setDash(3, 2.5)
            c.circle(cx, cy, diameter / 2)
            c.setFillColor(colors.HexColor("#b08a8a"))
            c.setFont(HEI, 8)
            c.drawCentredString(cx, cy - diameter / 2 + 4 * mm, WORDING["seal_here"])
            c.restoreState()
        y = top
        for paragraph, height in zip(self.lines, heights, strict=True):
            y -= height
            paragraph.drawOn(c, 0, y)
        if self.seal is not None:  # over the unit and the date, as a stamp is
            iw, ih = self.seal.getSize()
            scale = diameter / max(iw, ih, 1)
            w, h = iw * scale, ih * scale
            c.drawImage(self.seal, cx - w / 2, cy - h / 2, w, h, mask="auto")


def _qr(payload: str, size: float) -> Drawing:
    widget = QrCodeWidget(payload or " ", barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.initialFontName = HEI  # the renderer would set (and list, unembedded) Helvetica otherwise
    drawing.add(widget)
    return drawing


# --- the parts of the page --------------------------------------------------------------------------


def _head(doc: RecordCertificate, width: float, st: dict) -> list:
    stamp = doc.stamp
    meta = [_para(WORDING["number"].format(no=stamp.certificate_no), st["meta"]),
            _para(WORDING["issued"].format(date=long_date(stamp.issued_on)), st["meta"])]
    if stamp.copy_note.strip():
        style = st["note"]
        text_width = max(stringWidth(part, font_for(part, style.fontName), style.fontSize)
                         for part in stamp.copy_note.strip().split("\n"))
        note = Table([[_para(stamp.copy_note, style)]], colWidths=[min(text_width + 14, width - 84 * mm)])
        note.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), HEI),
            ("BOX", (0, 0), (-1, -1), 1.1, LOOK["note_ink"]),
        ("BACKGROUND", (0, 0), (-1, -1), LOOK["note_fill"]),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        note.hAlign = "LEFT"
        left: object = note
    else:
        left = ""
    top = Table([[left, meta]], colWidths=[width - 80 * mm, 80 * mm])
    top.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    story: list = [top, Spacer(1, 3 * mm), _para(doc.wording.title or WORDING["subject"], st["title"])]
    if doc.wording.subtitle.strip():
        story += [Spacer(1, 1 * mm), _para(doc.wording.subtitle, st["subtitle"])]
    story += [Spacer(1, 3 * mm), _Rule(width, _accent(doc)), Spacer(1, 5 * mm)]
    return story


def _identity(doc: RecordCertificate, width: float, st: dict) -> Table:
    values = {
        "姓名": doc.name, "性别": doc.gender, "身份证号": doc.id_number_masked, "志愿者编号": doc.volunteer_no,
        "注册日期": long_date(doc.registered_on), "服务单位": doc.station_name,
    }
    rows = []
    for left, right in WORDING["identity"]:
        rows.append([_para(left, st["label"]), _para(values[left] or "—", st["value"]),
                     _para(right, st["label"]), _para(values[right] or "—", st["value"])])
    label = 24 * mm
    table = Table(rows, colWidths=[label, width / 2 - label, label, width / 2 - label])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.45, LOOK["rule"]),
        ("BACKGROUND", (0, 0), (0, -1), LOOK["label_fill"]),
        ("BACKGROUND", (2, 0), (2, -1), LOOK["label_fill"]),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _totals(doc: RecordCertificate, width: float, st: dict) -> Table:
    cells = [
        (WORDING["period"], WORDING["period_value"].format(start=long_date(doc.period_from),
                                                           end=long_date(doc.period_to))),
        (WORDING["hours"], WORDING["hours_value"].format(hours=doc.total_hours_text)),
        (WORDING["count"], WORDING["count_value"].format(n=doc.record_count)),
    ]
    widths = [width * 0.46, width * 0.29, width * 0.25]
    row = []
    for (label, value), cell_width in zip(cells, widths, strict=True):
        style = st["band_value"]
        fits = (cell_width - 14) / max(stringWidth(value, font_for(value, style.fontName), style.fontSize), 1)
        if fits < 1:  # a long period: smaller type rather than a broken line
            size = max(style.fontSize * fits, 10)
            style = ParagraphStyle(style.name + "-fit", parent=style, fontSize=size, leading=style.leading)
        row.append([_para(label, st["band_label"]), Spacer(1, 1.2 * mm), _para(value, style)])
    table = Table([row], colWidths=widths)
    accent = _accent(doc)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, -1), LOOK["band_fill"]),
        ("BOX", (0, 0), (-1, -1), 0.9, accent),
        ("LINEAFTER", (0, 0), (-2, -1), 0.4, colors.HexColor("#d9c7b3")),
        ("TOPPADDING", (0, 0), (-1, -1), 4.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5.5),
    ]))
    return table


def _body(doc: RecordCertificate, st: dict) -> list:
    story: list = []
    for paragraph in doc.wording.body.split("\n"):
        if paragraph.strip():
            story.append(_para(paragraph, st["body"]))
    return story


def _section(heading: Paragraph, room: float = 30 * mm) -> list:
    """A heading that never ends a page alone: ``room`` is what it needs below it."""
    return [CondPageBreak(room), heading, Spacer(1, 2 * mm)]


def _none(heading: Paragraph, st: dict) -> list:
    """A section with nothing in it says so ("无")."""
    return _section(heading, 16 * mm) + [_para(WORDING["none"], st["none"])]


def _records(doc: RecordCertificate, width: float, st: dict) -> list:
    heading = _para(WORDING["records"], st["section"])
    if not doc.lines:
        return _none(heading, st)
    widths = _widths(LOOK["records_widths"], LOOK["records_shares"], width)
    data: list[list] = [[_para(c, st["head"]) for c in WORDING["records_columns"]]]
    for number, line in enumerate(doc.lines, start=1):
        data.append([
            _para(str(number), st["cell_c"]), _para(line.service_date.isoformat(), st["cell_c"]),
            _para(line.content, st["cell"]), _para(line.place, st["cell"]), _para(line.hours_text, st["cell_r"]),
        ])
    data.append([_para(WORDING["records_total"].format(n=doc.record_count), st["head"]), "", "", "",
                 _para(doc.total_hours_text, st["cell_r"])])
    last = len(data) - 1
    table = Table(data, colWidths=widths, repeatRows=1, style=_grid_style([
        ("SPAN", (0, last), (3, last)),
        ("BACKGROUND", (0, last), (-1, last), LOOK["total_fill"]),
    ]))
    return _section(heading) + [table]


def _trainings(doc: RecordCertificate, width: float, st: dict) -> list:
    heading = _para(WORDING["trainings"], st["section"])
    if not doc.trainings:
        return _none(heading, st)
    data: list[list] = [[_para(c, st["head"]) for c in WORDING["trainings_columns"]]]
    for number, line in enumerate(doc.trainings, start=1):
        data.append([
            _para(str(number), st["cell_c"]), _para(line.held_on.isoformat(), st["cell_c"]),
            _para(line.topic, st["cell"]), _para(line.kind, st["cell_c"]), _para(line.hours_text, st["cell_r"]),
        ])
    widths = _widths(LOOK["trainings_widths"], None, width)
    return _section(heading) + [Table(data, colWidths=widths, repeatRows=1, style=_grid_style())]


def _honours(doc: RecordCertificate, width: float, st: dict) -> list:
    heading = _para(WORDING["honours"], st["section"])
    if not doc.honours:
        return _none(heading, st)
    data: list[list] = [[_para(c, st["head"]) for c in WORDING["honours_columns"]]]
    for number, line in enumerate(doc.honours, start=1):
        data.append([
            _para(str(number), st["cell_c"]), _para(line.awarded_on.isoformat(), st["cell_c"]),
            _para(line.title, st["cell"]), _para(line.issuer, st["cell"]), _para(line.certificate_no, st["cell_c"]),
        ])
    widths = _widths(LOOK["honours_widths"], LOOK["honours_shares"], width)
    return _section(heading) + [Table(data, colWidths=widths, repeatRows=1, style=_grid_style())]


def _closing(doc: RecordCertificate, width: float, st: dict) -> list:
    """QR code, the people and the phone, the sealed issuing unit and date, then the small print."""
    stamp = doc.stamp
    qr_size = LOOK["qr"]
    qr_cell = [_qr(stamp.qr_payload, qr_size), _para(WORDING["scan"], st["qr_text"]),
               _para(stamp.certificate_no, st["qr_text"])]
    # The template's signatory line (e.g. "负责人：{站长}") is the one who signs: it takes the place of
    # the plain 负责人 line rather than repeating it.
    signs = doc.wording.signatory.strip() or WORDING["in_charge"].format(v=doc.person_in_charge or "—")
    people = [_para(text, st["issuer"]) for text in (
        signs,
        WORDING["handler"].format(v=doc.handler or "—"),
        WORDING["contact"].format(v=doc.contact or "—"),
    )]
    unit = doc.wording.issuer.strip() or doc.station_name
    seal_width = 72 * mm
    sealed = _SealedIssuer(
        [_para(WORDING["issuer"], st["qr_text"]), _para(unit, st["issuer_c"]),
         _para(long_date(stamp.issued_on), st["issuer_c"])],
        seal_width, LOOK["bottom_block_height"], stamp.seal_png,
    )
    qr_width = qr_size + 8 * mm
    block = Table([[qr_cell, people, sealed]], colWidths=[qr_width, width - qr_width - seal_width, seal_width])
    block.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), HEI),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LEFTPADDING", (1, 0), (1, 0), 8 * mm),
        ("LINEABOVE", (0, 0), (-1, 0), 0.45, LOOK["light_rule"]),
        ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
    ]))
    parts: list = [Spacer(1, 5 * mm), block]
    if doc.wording.footer.strip():
        parts += [Spacer(1, 2 * mm)] + [_para(text, st["footer"]) for text in doc.wording.footer.split("\n")
                                         if text.strip()]
    return parts


# --- the document ------------------------------------------------------------------------------------


def _decorate(doc: RecordCertificate):  # noqa: ANN202 - a decorate callback for numbered_canvas
    title = doc.wording.title or WORDING["subject"]
    number = WORDING["number"].format(no=doc.stamp.certificate_no)
    continued = WORDING["continued"].format(title=title)
    who = WORDING["who"].format(name=doc.name, no=doc.volunteer_no).strip()

    def decorate(canvas, page: int, total: int) -> None:  # noqa: ANN001 - a ReportLab canvas
        width, height = A4
        margin = LOOK["margin"]
        y = LOOK["bottom"] - 9 * mm
        canvas.setStrokeColor(LOOK["light_rule"])
        canvas.setLineWidth(0.4)
        canvas.line(margin, y + 4 * mm, width - margin, y + 4 * mm)
        canvas.setFillColor(LOOK["muted"])
        canvas.setFont(font_for(number, HEI), 8.5)
        canvas.drawString(margin, y, number)
        canvas.setFont(HEI, 8.5)
        canvas.drawRightString(width - margin, y, WORDING["page"].format(page=page, total=total))
        if page > 1:
            top = height - LOOK["top"] + 6 * mm
            canvas.setFont(font_for(continued, HEI), 9.5)
            canvas.drawString(margin, top, continued)
            canvas.setFont(font_for(who, HEI), 9)
            canvas.drawRightString(width - margin, top, who)
            canvas.line(margin, top - 2.2 * mm, width - margin, top - 2.2 * mm)

    return decorate


def record_certificate(doc: RecordCertificate, path: str | Path) -> Path:
    """Write the 志愿服务记录证明 as an A4 portrait PDF at ``path`` (fonts embedded); returns the path."""
    register_fonts()
    enable_chinese_line_breaking()
    path = Path(path)
    margin = LOOK["margin"]
    template = BaseDocTemplate(
        str(path), pagesize=A4, title=f"{doc.wording.title or WORDING['subject']} {doc.stamp.certificate_no}",
        author=doc.station_name, subject=WORDING["subject"], creator="Station App",
        leftMargin=margin, rightMargin=margin, topMargin=LOOK["top"], bottomMargin=LOOK["bottom"],
        initialFontName=HEI, initialFontSize=LOOK["body_size"],
    )
    # Page 1 has no running header, so its frame starts higher.
    first = Frame(template.leftMargin, template.bottomMargin, template.width,
                  template.height + LOOK["top"] - LOOK["first_top"], id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(template.leftMargin, template.bottomMargin, template.width, template.height, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="first", frames=[first], autoNextPageTemplate="later"),
                               PageTemplate(id="later", frames=[later])])
    st = _styles(_accent(doc))
    width = template.width
    story: list = _head(doc, width, st)
    story += [_identity(doc, width, st), Spacer(1, 4 * mm), _totals(doc, width, st), Spacer(1, 5 * mm)]
    body = _body(doc, st)
    if body:
        story += body + [Spacer(1, 4 * mm)]
    story += _records(doc, width, st) + [Spacer(1, 4.5 * mm)]
    story += _trainings(doc, width, st) + [Spacer(1, 4.5 * mm)]
    honours, closing = _honours(doc, width, st), _closing(doc, width, st)
    if len(doc.honours) <= LOOK["carried_rows"]:
        # The closing block never stands alone on the last page: a short last section goes with it.
        story += [honours[0], KeepTogether(honours[1:] + closing)]
    else:
        story += honours + [KeepTogether(closing)]
    template.build(story, canvasmaker=numbered_canvas(_decorate(doc)))
    return path
