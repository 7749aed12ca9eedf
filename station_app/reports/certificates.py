"""The landscape certificates: 星级志愿者证书 and 荣誉证书, one A4 landscape page each, in one PDF.

Plain data in (:class:`~station_app.reports.documents.StarCertificate`,
:class:`~station_app.reports.documents.HonourCertificate`), a PDF out. Both share one frame family
(a double frame in the template's accent colour with corner ornaments), the issuer block with the
station's seal over it (or a faint "盖章处" circle when none is set), the certificate number, the
issue date and the verification QR code at the bottom left, and "补打 …" in a box at the top
right of a reprint.

Drawn straight on the canvas, fast enough for a thousand certificates in one file: the frame and
the seal are drawn once into PDF form XObjects and reused by every page, the star outline is
computed once, and the QR code's modules are drawn as one path. Layout numbers live in ``LOOK``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from io import BytesIO
from itertools import groupby
from pathlib import Path

import segno
from reportlab.lib import colors, textsplit
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .cjk import enable_chinese_line_breaking
from .documents import HonourCertificate, Stamp, StarCertificate, Wording
from .fonts import HEI, KAI, check_printable, font_for, register_fonts

Certificate = StarCertificate | HonourCertificate

PAGE = landscape(A4)

WORDING = {
    "volunteer_no": "志愿者编号：{no}",
    "hours": "累计服务时长：{hours} 小时",
    "station": "服务站：{station}",
    "award_to": "授予",
    "number": "证书编号：{no}",
    "issued": "发证日期：{date}",
    "scan": "扫码核验",
    "seal_here": "（盖章处）",
    "document": "证书",
    "many": "{title}（共 {n} 份）",
}

LOOK = {
    # the frame: outer heavy line, inner hairline, corner ornaments inside the inner frame
    "outer_inset": 11.5 * mm,  # >= 10 mm: nothing is drawn outside the printable area
    "outer_width": 2.6,
    "inner_inset": 15 * mm,
    "inner_width": 0.8,
    "ornament": 24 * mm,  # length of a corner bracket's arms
    "ink": colors.HexColor("#1f1f1f"),
    "muted": colors.HexColor("#5c5c5c"),
    "faint": colors.HexColor("#b4b4b4"),
    # the heading
    "title_y": 210 * mm - 40 * mm,
    "title_size": 38,
    "title_space": 10,  # extra space between the title's characters
    "title_width": 200 * mm,
    "subtitle_y": 210 * mm - 49 * mm,
    "subtitle_size": 10.5,
    "subtitle_space": 2.5,
    "divider_y": 210 * mm - 55 * mm,
    # star certificate
    "name_y": 210 * mm - 74 * mm,
    "name_size": 40,
    "name_space": 6,
    "name_width": 170 * mm,
    "name_rule": 95 * mm,
    "number_y": 210 * mm - 84 * mm,
    "stars_y": 210 * mm - 94 * mm,  # centre line of the stars
    "star_radius": 4.6 * mm,
    "star_pitch": 12 * mm,
    "star_fill": colors.HexColor("#e3a70b"),
    "star_line": colors.HexColor("#a8740a"),
    "star_empty": colors.HexColor("#c9c9c9"),
    "level_y": 210 * mm - 106 * mm,
    "level_size": 17,
    "body_top": 210 * mm - 119 * mm,  # baseline of the first body line
    "body_width": 205 * mm,
    "body_size": 14,
    "body_leading": 22,
    "facts_size": 10.5,  # 志愿者编号 · 累计服务时长 · 服务站, under the name
    "body_bottom": 64 * mm,  # the lowest baseline of the body: above the seal and the issuer
    "body_min_size": 10.5,  # a long body is set smaller, down to this
    # honour certificate
    "h_title_size": 46,
    "h_title_space": 22,
    "h_target_y": 210 * mm - 78 * mm,
    "h_award_size": 17,
    "h_target_size": 34,
    "h_honour_y": 210 * mm - 97 * mm,
    "h_honour_size": 28,
    "h_body_top": 210 * mm - 114 * mm,
    # the foot of the page
    "qr_x": 27 * mm,
    "qr_y": 25 * mm,
    "qr_size": 25 * mm,
    "qr_border": 1,  # modules of white inside the square; the page around is blank too
    "foot_size": 9.5,
    "foot_leading": 14,
    "issuer_x": 297 * mm - 72 * mm,  # centre of the issuer block
    "issuer_y": 37 * mm,  # baseline of the issuer's last line
    "issuer_size": 14,
    "issuer_leading": 20,
    "seal_size": 38 * mm,
    "footer_y": 19 * mm,
    "footer_size": 8,
    "copy_size": 10.5,
}

_OPENERS = "（《“‘「『【〔(["
_TOKENS = re.compile(r"[A-Za-z0-9@#%&+\-./:_,']+|\s+|.", re.DOTALL)


# --- small geometry, computed once ---------------------------------------------------------------

def _star_points() -> tuple[tuple[float, float], ...]:
    """A five-pointed star of outer radius 1 around (0, 0), one point up."""
    inner = math.sin(math.radians(18)) / math.sin(math.radians(54))  # 0.382: the regular star
    points = []
    for k in range(10):
        radius = 1.0 if k % 2 == 0 else inner
        angle = math.radians(90 + 36 * k)
        points.append((radius * math.cos(angle), radius * math.sin(angle)))
    return tuple(points)


STAR = _star_points()


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _colour(accent: str) -> colors.Color:
    try:
        return colors.HexColor(accent)
    except (ValueError, TypeError):
        return colors.HexColor("#b22222")


# --- what a document prints, for the rare-character check ---------------------------------------

def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name != "qr_payload":  # in the QR code, not printed as text
                yield from _strings(getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def printable_texts(doc: object) -> tuple[str, str]:
    """(who, text): how a message names the document, and every text it prints, joined."""
    title = getattr(getattr(doc, "wording", None), "title", "") or WORDING["document"]
    name = getattr(doc, "name", None) or getattr(doc, "target_name", None)
    if name:
        who = f"“{name}”的{title}"
    elif getattr(doc, "year", None):
        who = f"{doc.year}年{title}"
    else:
        who = title
    return who, "\n".join(_strings(doc))


# --- text helpers ----------------------------------------------------------------------------------

def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy CJK line breaking: Latin runs and numbers stay whole, no line starts with "，" or "。"."""
    enable_chinese_line_breaking()
    cannot_start = textsplit.ALL_CANNOT_START
    lines: list[str] = []
    line, used = "", 0.0
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line += " "
                used += stringWidth(" ", font, size)
            continue
        token_width = stringWidth(token, font, size)
        if line and used + token_width > width and token[0] not in cannot_start:
            carry = ""
            if line[-1] in _OPENERS and len(line) > 1:  # an opening bracket goes with what it opens
                carry, line = line[-1], line[:-1]
            lines.append(line.rstrip())
            line = carry + token
            used = stringWidth(line, font, size)
        else:
            line += token
            used += token_width
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit(text: str, font: str, size: float, width: float, space: float = 0.0) -> tuple[float, float]:
    """(size, char space) so that ``text`` fits ``width``: loosen the spacing first, then the size."""
    n = max(len(text) - 1, 0)
    if stringWidth(text, font, size) + n * space <= width:
        return size, space
    if stringWidth(text, font, size) <= width:
        return size, (width - stringWidth(text, font, size)) / n if n else 0.0
    return size * width / stringWidth(text, font, size), 0.0


def _centred(c: Canvas, x: float, y: float, text: str, font: str, size: float, *, space: float = 0.0,
             width: float | None = None, bold: colors.Color | None = None) -> float:
    """Draw ``text`` centred on x (shrunk to ``width``); returns the width it took.

    ``bold``: the fill colour, to stroke the outline with as well (the bundled fonts have no bold).
    """
    if width is not None:
        size, space = _fit(text, font, size, width, space)
    c.setFont(font, size)
    if bold is not None:
        c.setLineWidth(size / 45)
        c.setStrokeColor(bold)
    c.drawCentredString(x, y, text, mode=2 if bold is not None else None, charSpace=space)
    return stringWidth(text, font, size) + space * max(len(text) - 1, 0)


def _layout(text: str, font: str, size: float, width: float) -> list[tuple[str, float, float]]:
    """The lines of the paragraphs of ``text`` ("\n" separated) as (line, indent, char space).

    A paragraph that fits on one line is centred (indent -1); a longer one is indented by two
    characters and justified, its last line left ragged.
    """
    out: list[tuple[str, float, float]] = []
    indent = 2 * size
    for paragraph in text.split("\n"):
        paragraph = re.sub(r"\s+", " ", paragraph).strip()
        if not paragraph:
            continue
        if stringWidth(paragraph, font, size) <= width:
            out.append((paragraph, -1.0, 0.0))
            continue
        first = _wrap(paragraph, font, size, width - indent)[0]
        rest = paragraph[len(first):].lstrip()
        lines = [first] + (_wrap(rest, font, size, width) if rest else [])
        for i, line in enumerate(lines):
            room = width - (indent if i == 0 else 0)
            space = 0.0
            if i < len(lines) - 1 and len(line) > 1:
                space = (room - stringWidth(line, font, size)) / (len(line) - 1)
                if space > size * 0.6:  # a very loose line: leave it ragged
                    space = 0.0
            out.append((line, indent if i == 0 else 0.0, space))
    return out


def _paragraphs(c: Canvas, text: str, x: float, top: float, width: float, font: str, size: float,
                leading: float, bottom: float) -> float:
    """Draw ``text`` in a block of ``width`` from baseline ``top``, no lower than ``bottom``.

    A text too long for the room is set smaller, down to ``LOOK["body_min_size"]`` (a longer one
    than that runs lower: the template editor should keep bodies short). Returns the last baseline.
    """
    ratio = leading / size
    lines = _layout(text, font, size, width)
    while top - (len(lines) - 1) * size * ratio < bottom and size > LOOK["body_min_size"]:
        size -= 0.5
        lines = _layout(text, font, size, width)
    leading = size * ratio
    room = top - bottom
    needed = (len(lines) - 1) * leading
    if needed > room:  # still too long at the smallest size: close the lines up a little
        leading = max(size * 1.3, room / max(len(lines) - 1, 1))
    else:  # a short text sits a little lower, towards the middle of its room
        top -= min((room - needed) / 2, leading)
    y = top + leading
    for line, indent, space in lines:
        y -= leading
        if indent < 0:
            c.setFont(font, size)
            c.drawCentredString(x + width / 2, y, line)
            continue
        t = c.beginText(x + indent, y)
        t.setFont(font, size)
        t.setCharSpace(space)
        t.textOut(line)
        c.drawText(t)
    return y


# --- the parts every certificate has ------------------------------------------------------------

class _Resources:
    """Forms drawn once per canvas and reused on every page: frames by colour, seals by content."""

    def __init__(self, c: Canvas) -> None:
        self.c = c
        self.forms: dict[tuple, str] = {}

    def frame(self, accent: colors.Color) -> str:
        key = ("frame", accent.hexval())
        if key not in self.forms:
            name = f"certframe{len(self.forms)}"
            self.c.beginForm(name)
            _draw_frame(self.c, accent)
            self.c.endForm()
            self.forms[key] = name
        return self.forms[key]

    def seal(self, png: bytes) -> tuple[str, float, float]:
        """The seal's form and its drawn size (width, height), fitted into LOOK["seal_size"]."""
        key = ("seal", hashlib.sha256(png).hexdigest())
        if key not in self.forms:
            name = f"certseal{len(self.forms)}"
            image = ImageReader(BytesIO(png))
            iw, ih = image.getSize()
            scale = LOOK["seal_size"] / max(iw, ih)
            w, h = iw * scale, ih * scale
            self.c.beginForm(name, 0, 0, w, h)
            self.c.drawImage(image, 0, 0, w, h, mask="auto")
            self.c.endForm()
            self.forms[key] = (name, w, h)
        return self.forms[key]


def _draw_frame(c: Canvas, accent: colors.Color) -> None:
    width, height = PAGE
    outer, inner = LOOK["outer_inset"], LOOK["inner_inset"]
    c.setStrokeColor(accent)
    c.setFillColor(accent)
    c.setLineJoin(0)
    c.setLineWidth(LOOK["outer_width"])
    c.rect(outer, outer, width - 2 * outer, height - 2 * outer, stroke=1, fill=0)
    c.setLineWidth(LOOK["inner_width"])
    c.rect(inner, inner, width - 2 * inner, height - 2 * inner, stroke=1, fill=0)
    # corner ornaments, drawn for the bottom-left corner and mirrored to the others
    arm = LOOK["ornament"]
    for tx, ty, sx, sy in ((0, 0, 1, 1), (width, 0, -1, 1), (0, height, 1, -1), (width, height, -1, -1)):
        c.saveState()
        c.translate(tx, ty)
        c.scale(sx, sy)
        # a filled square set on its point, bridging the two frames at the corner
        mid = (outer + inner) / 2
        d = 2.8 * mm
        p = c.beginPath()
        p.moveTo(mid, mid - d)
        p.lineTo(mid + d, mid)
        p.lineTo(mid, mid + d)
        p.lineTo(mid - d, mid)
        p.close()
        c.setFillColor(colors.white)
        c.setLineWidth(0.8)
        c.drawPath(p, stroke=1, fill=1)
        c.setFillColor(accent)
        p = c.beginPath()
        s = 1.5 * mm
        p.moveTo(mid, mid - s)
        p.lineTo(mid + s, mid)
        p.lineTo(mid, mid + s)
        p.lineTo(mid - s, mid)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
        # two nested brackets and a stepped "回" hook inside the inner frame
        a = inner + 3 * mm
        c.setLineWidth(1.4)
        p = c.beginPath()
        p.moveTo(a, a + arm)
        p.lineTo(a, a)
        p.lineTo(a + arm, a)
        c.drawPath(p, stroke=1, fill=0)
        b = inner + 6 * mm
        c.setLineWidth(0.6)
        p = c.beginPath()
        p.moveTo(b, b + arm * 0.62)
        p.lineTo(b, b)
        p.lineTo(b + arm * 0.62, b)
        c.drawPath(p, stroke=1, fill=0)
        h = 3.2 * mm
        p = c.beginPath()
        p.moveTo(a + arm, a)
        p.lineTo(a + arm, a + h)
        p.lineTo(a + arm - h, a + h)
        p.moveTo(a, a + arm)
        p.lineTo(a + h, a + arm)
        p.lineTo(a + h, a + arm - h)
        c.setLineWidth(1.4)
        c.drawPath(p, stroke=1, fill=0)
        c.restoreState()
    # a small diamond at the middle of each long side of the inner frame
    for x, y in ((width / 2, inner), (width / 2, height - inner)):
        d = 2.2 * mm
        p = c.beginPath()
        p.moveTo(x - d, y)
        p.lineTo(x, y + d * 0.6)
        p.lineTo(x + d, y)
        p.lineTo(x, y - d * 0.6)
        p.close()
        c.drawPath(p, stroke=0, fill=1)


def _star(c: Canvas, cx: float, cy: float, radius: float, *, filled: bool) -> None:
    p = c.beginPath()
    x0, y0 = STAR[0]
    p.moveTo(cx + radius * x0, cy + radius * y0)
    for x, y in STAR[1:]:
        p.lineTo(cx + radius * x, cy + radius * y)
    p.close()
    if filled:
        c.setFillColor(LOOK["star_fill"])
        c.setStrokeColor(LOOK["star_line"])
        c.setLineWidth(0.6)
        c.drawPath(p, stroke=1, fill=1)
    else:
        c.setStrokeColor(LOOK["star_empty"])
        c.setLineWidth(0.9)
        c.drawPath(p, stroke=1, fill=0)


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code (error level M) of ``payload`` as rows of dark (True) / light modules, top row first.

    Encoded by segno (ISO/IEC 18004, best mask chosen as the standard says): about twice as fast as
    ReportLab's own encoder, which was most of the time of a 1,000-certificate batch.
    """
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    return [[bool(m) for m in row] for row in code.matrix]


def _qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path: a rectangle per horizontal run of dark modules.

    Drawn in module units (one unit per module, rows counted down from the top), so the path is
    whole numbers written straight into the page: a thousand codes cost little.
    """
    modules = qr_modules(payload)
    border = LOOK["qr_border"]
    box = size / (len(modules) + 2 * border)
    runs: list[str] = []
    for r, row in enumerate(modules):
        col = 0
        for dark, run in groupby(row):
            n = len(list(run))
            if dark:
                runs.append(f"{col} {r} {n} 1 re")
            col += n
    c.saveState()
    c.setFillColor(colors.black)
    c.transform(box, 0, 0, -box, x + border * box, y + size - border * box)
    c.addLiteral("\n".join(runs) + "\nf")
    c.restoreState()


def _heading(c: Canvas, res: _Resources, wording: Wording, stamp: Stamp, accent: colors.Color, *,
             size: float, space: float) -> None:
    """The frame, a reprint's note in a box at the top right, the title, subtitle and divider."""
    width, height = PAGE
    c.doForm(res.frame(accent))
    title_width = LOOK["title_width"]
    if stamp.copy_note:
        note = stamp.copy_note
        font, note_size = font_for(note, HEI), LOOK["copy_size"]
        box_width = stringWidth(note, font, note_size) + 6 * mm
        right, top = width - LOOK["inner_inset"] - 12 * mm, height - LOOK["inner_inset"] - 11 * mm
        c.setStrokeColor(accent)
        c.setFillColor(colors.white)
        c.setLineWidth(1)
        c.rect(right - box_width, top - note_size - 4 * mm, box_width, note_size + 4 * mm, stroke=1, fill=1)
        c.setFillColor(accent)
        c.setFont(font, note_size)
        c.drawRightString(right - 3 * mm, top - note_size - 1.1 * mm, note)
        title_width = min(title_width, 2 * (right - box_width - width / 2) - 8 * mm)  # clear of the box
    c.setFillColor(accent)
    title = wording.title
    _centred(c, width / 2, LOOK["title_y"], title, font_for(title, HEI), size, space=space,
             width=title_width, bold=accent)
    if wording.subtitle:
        c.setFillColor(LOOK["muted"])
        _centred(c, width / 2, LOOK["subtitle_y"], wording.subtitle, font_for(wording.subtitle, HEI),
                 LOOK["subtitle_size"], space=LOOK["subtitle_space"], width=LOOK["title_width"])
    # a divider: two lines meeting at a small diamond
    y = LOOK["divider_y"]
    c.setStrokeColor(accent)
    c.setFillColor(accent)
    c.setLineWidth(0.7)
    c.line(width / 2 - 40 * mm, y, width / 2 - 4 * mm, y)
    c.line(width / 2 + 4 * mm, y, width / 2 + 40 * mm, y)
    p = c.beginPath()
    d = 1.8 * mm
    p.moveTo(width / 2 - d, y)
    p.lineTo(width / 2, y + d * 0.7)
    p.lineTo(width / 2 + d, y)
    p.lineTo(width / 2, y - d * 0.7)
    p.close()
    c.drawPath(p, stroke=0, fill=1)


def _foot(c: Canvas, res: _Resources, stamp: Stamp, wording: Wording, issuer_lines: list[str],
          date_line: str) -> None:
    """QR code, number and issue date at the bottom left; issuer, date, signatory and seal at the right."""
    width, _height = PAGE
    # bottom left: QR code, certificate number, issue date
    qx, qy, qs = LOOK["qr_x"], LOOK["qr_y"], LOOK["qr_size"]
    _qr(c, stamp.qr_payload, qx, qy, qs)
    tx = qx + qs + 3 * mm
    c.setFillColor(LOOK["ink"])
    size, leading = LOOK["foot_size"], LOOK["foot_leading"]
    for i, text in enumerate((WORDING["number"].format(no=stamp.certificate_no),
                              WORDING["issued"].format(date=chinese_date(stamp.issued_on)))):
        c.setFont(font_for(text, HEI), size)
        c.drawString(tx, qy + qs - size - i * leading, text)
    c.setFillColor(LOOK["muted"])
    c.setFont(HEI, size - 1)
    c.drawString(tx, qy + 1, WORDING["scan"])
    # bottom right: issuer lines, then the date, then the signatory; the seal over the issuer
    ix, size, leading = LOOK["issuer_x"], LOOK["issuer_size"], LOOK["issuer_leading"]
    lines = [line for line in issuer_lines if line] + ([date_line] if date_line else [])
    y = LOOK["issuer_y"] + (len(lines) - 1) * leading
    block_top = y + size
    c.setFillColor(LOOK["ink"])
    for line in lines:
        _centred(c, ix, y, line, font_for(line, HEI), size, width=90 * mm)
        y -= leading
    if wording.signatory:
        c.setFont(font_for(wording.signatory, HEI), size - 2)
        c.drawCentredString(ix, y - 2, wording.signatory)
    block_mid = (block_top + LOOK["issuer_y"]) / 2
    if stamp.seal_png:
        name, w, h = res.seal(stamp.seal_png)
        c.saveState()
        c.translate(ix - w / 2 + 6 * mm, block_mid - h / 2)
        c.doForm(name)
        c.restoreState()
    else:
        radius = LOOK["seal_size"] / 2 - 2 * mm
        c.saveState()
        c.setStrokeColor(LOOK["faint"])
        c.setLineWidth(0.7)
        c.setDash(3, 3)
        c.circle(ix + 6 * mm, block_mid, radius, stroke=1, fill=0)
        c.restoreState()
        c.setFillColor(LOOK["faint"])
        c.setFont(HEI, 9)
        c.drawCentredString(ix + 6 * mm, block_mid + radius - 5 * mm, WORDING["seal_here"])
    # the foot line and a reprint's note
    if wording.footer:
        c.setFillColor(LOOK["muted"])
        _centred(c, width / 2, LOOK["footer_y"], wording.footer, font_for(wording.footer, HEI),
                 LOOK["footer_size"], width=110 * mm)


# --- the two certificates -------------------------------------------------------------------------

def _draw_star(c: Canvas, res: _Resources, doc: StarCertificate) -> None:
    width, _height = PAGE
    wording = doc.wording
    accent = _colour(wording.accent)
    _heading(c, res, wording, doc.stamp, accent, size=LOOK["title_size"], space=LOOK["title_space"])
    # the name, on a rule, with the volunteer number under it
    c.setFillColor(LOOK["ink"])
    _centred(c, width / 2, LOOK["name_y"], doc.name, font_for(doc.name, HEI), LOOK["name_size"],
             space=LOOK["name_space"], width=LOOK["name_width"], bold=LOOK["ink"])
    c.setStrokeColor(accent)
    c.setLineWidth(0.8)
    rule = LOOK["name_rule"]
    c.line(width / 2 - rule / 2, LOOK["name_y"] - 3.2 * mm, width / 2 + rule / 2, LOOK["name_y"] - 3.2 * mm)
    facts = [WORDING["hours"].format(hours=doc.hours_text)]
    if doc.volunteer_no:
        facts.insert(0, WORDING["volunteer_no"].format(no=doc.volunteer_no))
    if doc.station_name:
        facts.append(WORDING["station"].format(station=doc.station_name))
    text = "　　".join(facts)
    c.setFillColor(LOOK["muted"])
    _centred(c, width / 2, LOOK["number_y"], text, font_for(text, HEI), LOOK["facts_size"],
             width=LOOK["body_width"])
    # the level: as many gold stars as the level, the rest of five in grey outline
    level = max(0, min(doc.level, 5))
    pitch, radius = LOOK["star_pitch"], LOOK["star_radius"]
    for i in range(5):
        _star(c, width / 2 + (i - 2) * pitch, LOOK["stars_y"], radius, filled=i < level)
    c.setFillColor(accent)
    _centred(c, width / 2, LOOK["level_y"], doc.level_name, font_for(doc.level_name, HEI), LOOK["level_size"],
             space=3, width=150 * mm, bold=accent)
    # body, then the facts line
    c.setFillColor(LOOK["ink"])
    body_width = LOOK["body_width"]
    _paragraphs(c, wording.body, (width - body_width) / 2, LOOK["body_top"], body_width,
                font_for(wording.body, KAI), LOOK["body_size"], LOOK["body_leading"], LOOK["body_bottom"])
    issuer = wording.issuer.split("\n") if wording.issuer.strip() else [doc.station_name]
    _foot(c, res, doc.stamp, wording, issuer, chinese_date(doc.confirmed_on))


def _draw_honour(c: Canvas, res: _Resources, doc: HonourCertificate) -> None:
    width, _height = PAGE
    wording = doc.wording
    accent = _colour(wording.accent)
    _heading(c, res, wording, doc.stamp, accent, size=LOOK["h_title_size"], space=LOOK["h_title_space"])
    # 授予 + the target's name, on one baseline, centred together
    award, target = WORDING["award_to"], doc.target_name
    award_font, target_font = font_for(award, HEI), font_for(target, HEI)
    award_size = LOOK["h_award_size"]
    target_size, target_space = _fit(target, target_font, LOOK["h_target_size"], 190 * mm, 4)
    gap = 5 * mm
    award_width = stringWidth(award, award_font, award_size)
    target_width = stringWidth(target, target_font, target_size) + target_space * max(len(target) - 1, 0)
    left = (width - award_width - gap - target_width) / 2
    y = LOOK["h_target_y"]
    c.setFillColor(LOOK["muted"])
    c.setFont(award_font, award_size)
    c.drawString(left, y, award)
    c.setFillColor(LOOK["ink"])
    _centred(c, left + award_width + gap + target_width / 2, y, target, target_font, target_size,
             space=target_space, bold=LOOK["ink"])
    c.setStrokeColor(accent)
    c.setLineWidth(0.8)
    rule_left = left + award_width + gap - 3 * mm
    c.line(rule_left, y - 3.2 * mm, rule_left + target_width + 6 * mm, y - 3.2 * mm)
    # the honour's title, framed by two short rules
    c.setFillColor(accent)
    honour = f"“{doc.honour_title}”"
    used = _centred(c, width / 2, LOOK["h_honour_y"], honour, font_for(honour, HEI), LOOK["h_honour_size"],
                    space=3, width=210 * mm, bold=accent)
    c.setStrokeColor(accent)
    c.setLineWidth(0.7)
    mid = LOOK["h_honour_y"] + LOOK["h_honour_size"] * 0.33
    c.line(width / 2 - used / 2 - 22 * mm, mid, width / 2 - used / 2 - 6 * mm, mid)
    c.line(width / 2 + used / 2 + 6 * mm, mid, width / 2 + used / 2 + 22 * mm, mid)
    # the template's body, which quotes the citation where the administrator put {事迹}
    text = wording.body.strip()
    c.setFillColor(LOOK["ink"])
    body_width = LOOK["body_width"]
    _paragraphs(c, text, (width - body_width) / 2, LOOK["h_body_top"], body_width,
                font_for(text, KAI), LOOK["body_size"], LOOK["body_leading"], LOOK["body_bottom"])
    issuer = wording.issuer.split("\n") if wording.issuer.strip() else [doc.station_name]
    _foot(c, res, doc.stamp, wording, issuer, chinese_date(doc.awarded_on))


def _draw_certificate(c: Canvas, res: _Resources, doc: Certificate) -> None:
    """One certificate on the canvas's current page (the caller shows the page)."""
    if isinstance(doc, StarCertificate):
        _draw_star(c, res, doc)
    elif isinstance(doc, HonourCertificate):
        _draw_honour(c, res, doc)
    else:
        raise TypeError(f"not a landscape certificate: {type(doc).__name__}")


def _pdf_title(docs: Sequence[Certificate]) -> str:
    titles = list(dict.fromkeys(doc.wording.title for doc in docs))
    title = "、".join(titles) or WORDING["document"]
    if len(docs) == 1:
        doc = docs[0]
        return f"{title} · {doc.name if isinstance(doc, StarCertificate) else doc.target_name}"
    return WORDING["many"].format(title=title, n=len(docs))


def write_certificates(docs: Sequence[Certificate], path: str | Path, *,
                       on_page: Callable[[int], None] | None = None) -> Path:
    """Write one A4 landscape page per certificate into the PDF at ``path`` (fonts embedded).

    Every text is checked first (:func:`~station_app.reports.fonts.check_printable`): a character
    neither bundled font has raises ``GlyphMissing`` before anything is written. The file is written
    beside ``path`` and renamed into place, so an error (or ``on_page`` raising, e.g. to cancel)
    leaves no partial file. ``on_page(n)`` is called after the n-th page (1-based) is drawn.
    """
    path = Path(path)
    check_printable(printable_texts(doc) for doc in docs)
    register_fonts()
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part", dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        c = Canvas(str(temp), pagesize=PAGE, pageCompression=1, initialFontName=HEI)
        c.setTitle(_pdf_title(docs))
        c.setSubject(WORDING["document"])
        c.setCreator("Station App")
        c.setAuthor(next((d.station_name for d in docs if d.station_name), ""))
        res = _Resources(c)
        for number, doc in enumerate(docs, start=1):
            _draw_certificate(c, res, doc)
            c.showPage()
            if on_page is not None:
                on_page(number)
        c.save()
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
