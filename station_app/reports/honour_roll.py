"""光荣榜 (the honour roll), an A3 portrait poster for the noticeboard, as a PDF.

A red and gold header band with the roll's title, subtitle and the station's name; the
introduction (``wording.body``); then each section (年度优秀志愿者, 五星级志愿者 …) under a ribbon,
its entries as a grid of name cards (the name large, its detail small under it). A long roll flows
onto further pages, each with a smaller band saying "（续）" and "第 x 页 共 y 页" at the foot. An
empty section is left out; a roll with nobody on it says "本年度暂无上榜人员". The footer wording,
the issuer and the date close the roll.

Plain data in (:class:`~station_app.reports.documents.HonourRoll`), a PDF out; fonts are the
bundled ones, embedded; a name a font lacks a character of (䶮) prints in LXGW WenKai.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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
)

from .cjk import enable_chinese_line_breaking
from .documents import HonourRoll, RollEntry, RollSection
from .fonts import HEI, KAI, font_for, register_fonts
from .paging import long_date, numbered_canvas

WORDING = {
    "subject": "光荣榜",
    "empty": "本年度暂无上榜人员",
    "continued": "{title}（续）",
    "page": "第 {page} 页 共 {total} 页",
    "slogan": "奉献　友爱　互助　进步",
    "count": "（{n}）",
}

LOOK = {
    "gold": colors.HexColor("#d4a72c"),
    "pale_gold": colors.HexColor("#f3dc94"),
    "paper": colors.HexColor("#fffaf0"),
    "card": colors.HexColor("#fffdf7"),
    "card_edge": colors.HexColor("#d9b55a"),
    "ink": colors.HexColor("#2a2a2a"),
    "muted": colors.HexColor("#6b5d4f"),
    "page_margin": 10 * mm,
    "content_margin": 18 * mm,
    "band_first": 80 * mm,  # the header band of page 1, inside the border
    "band_later": 26 * mm,
    "footer_height": 14 * mm,
    "title_size": 54,
    "title_min": 30,
    "body_size": 15,
    "gap": 5 * mm,  # between cards side by side
    "row_gap": 4 * mm,  # between rows of cards
    "section_gap": 8 * mm,
    "name_size": 26,
    "name_min": 19,  # a name smaller than this on one line wraps instead (in fewer, wider columns)
    "detail_size": 10.5,
    "card_min_height": 25 * mm,
    "columns": (8, 7, 6, 5, 4, 3),  # the most in which the longest name fits one line at name_min
    "card_max": 70 * mm,
    "scales": (1.0, 0.95, 0.9, 0.85, 0.8),  # how far a roll shrinks to stay on one sheet
}


def _accent(roll: HonourRoll) -> colors.Color:
    try:
        return colors.HexColor(roll.wording.accent)
    except (ValueError, TypeError):
        return colors.HexColor("#b22222")


def _styles(accent: colors.Color) -> dict[str, ParagraphStyle]:
    register_fonts()
    body = LOOK["body_size"]
    base = ParagraphStyle("hr-base", fontName=KAI, fontSize=body, leading=body * 1.7, textColor=LOOK["ink"],
                          wordWrap="CJK", alignment=TA_LEFT)
    return {
        "body": ParagraphStyle("hr-body", parent=base, firstLineIndent=2 * body),
        "name": ParagraphStyle("hr-name", parent=base, fontName=HEI, fontSize=LOOK["name_size"],
                               leading=LOOK["name_size"] * 1.2, alignment=TA_CENTER, textColor=accent),
        "detail": ParagraphStyle("hr-detail", parent=base, fontSize=LOOK["detail_size"],
                                 leading=LOOK["detail_size"] * 1.35, alignment=TA_CENTER, textColor=LOOK["muted"]),
        "empty": ParagraphStyle("hr-empty", parent=base, fontName=HEI, fontSize=28, leading=36, alignment=TA_CENTER,
                                textColor=accent),
        "footer": ParagraphStyle("hr-footer", parent=base, fontSize=12.5, leading=19, textColor=LOOK["muted"]),
        "issuer": ParagraphStyle("hr-issuer", parent=base, fontName=HEI, fontSize=15, leading=23, alignment=TA_RIGHT),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph in ``style``'s font, or in WenKai when that font lacks a character (䶮, 𠮷)."""
    if style.fontName != KAI and font_for(text, style.fontName) == KAI:
        style = ParagraphStyle(style.name + "-kai", parent=style, fontName=KAI)
    return Paragraph(escape(text.strip()).replace("\n", "<br/>"), style)


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font_for(text, font), size)


def _star(canvas, cx: float, cy: float, r: float) -> None:  # noqa: ANN001 - a ReportLab canvas
    """A filled five-pointed star (drawn, not a glyph: the fonts need not have ★)."""
    import math

    path = canvas.beginPath()
    for k in range(10):
        angle = math.pi / 2 + k * math.pi / 5
        radius = r if k % 2 == 0 else r * 0.4
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        path.moveTo(x, y) if k == 0 else path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _bold_centred(canvas, x: float, y: float, text: str, font: str, size: float,  # noqa: ANN001
                  fill: colors.Color, weight: float = 0.6) -> None:
    """Centred text made heavier by stroking its outline too (the bundled fonts have no bold)."""
    font = font_for(text, font)
    t = canvas.beginText()
    t.setTextRenderMode(2)
    t.setFont(font, size)
    t.setTextOrigin(x - stringWidth(text, font, size) / 2, y)
    canvas.setFillColor(fill)
    canvas.setStrokeColor(fill)
    canvas.setLineWidth(weight)
    t.textOut(text)
    canvas.drawText(t)


def _fitted(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """``size``, or smaller until ``text`` fits ``width`` (never below ``smallest``)."""
    natural = _width(text, font, size)
    return size if natural <= width else max(smallest, size * width / natural)


# --- flowables ------------------------------------------------------------------------------------


class _Ribbon(Flowable):
    """A section heading: a red ribbon with swallow-tailed ends, gold lines either side."""

    def __init__(self, text: str, width: float, accent: colors.Color) -> None:
        super().__init__()
        self.text, self.width, self.accent = text, width, accent
        self.height = 13 * mm
        self.size = 21.0
        font = font_for(text, HEI)
        self.font = font
        self.ribbon = min(width * 0.8, max(100 * mm, _width(text, font, self.size) + 40 * mm))

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        w, h = self.ribbon, 11.5 * mm
        x0 = (self.width - w) / 2
        y0 = (self.height - h) / 2
        notch = 4 * mm
        gold = LOOK["gold"]
        # The lines either side.
        c.setStrokeColor(gold)
        c.setLineWidth(1.2)
        mid = self.height / 2
        c.line(0, mid + 1.2, x0 - 3 * mm, mid + 1.2)
        c.line(x0 + w + 3 * mm, mid + 1.2, self.width, mid + 1.2)
        c.setLineWidth(0.5)
        c.line(0, mid - 1.5, x0 - 3 * mm, mid - 1.5)
        c.line(x0 + w + 3 * mm, mid - 1.5, self.width, mid - 1.5)
        # The ribbon.
        path = c.beginPath()
        path.moveTo(x0, y0)
        path.lineTo(x0 + w, y0)
        path.lineTo(x0 + w - notch, y0 + h / 2)
        path.lineTo(x0 + w, y0 + h)
        path.lineTo(x0, y0 + h)
        path.lineTo(x0 + notch, y0 + h / 2)
        path.close()
        c.setFillColor(self.accent)
        c.setStrokeColor(gold)
        c.setLineWidth(1.2)
        c.drawPath(path, stroke=1, fill=1)
        c.setFillColor(LOOK["pale_gold"])
        _star(c, x0 + notch + 6 * mm, y0 + h / 2, 2.2 * mm)
        _star(c, x0 + w - notch - 6 * mm, y0 + h / 2, 2.2 * mm)
        _bold_centred(c, self.width / 2, y0 + h / 2 - self.size * 0.36, self.text, self.font, self.size,
                      colors.white, 0.5)


class _Card(Flowable):
    """One name card: a framed panel, a small gold star, the name large, the detail small under it."""

    def __init__(self, name: Paragraph, detail: Paragraph | None, width: float, height: float) -> None:
        super().__init__()
        self.name, self.detail, self.width, self.height = name, detail, width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    @staticmethod
    def content_height(name: Paragraph, detail: Paragraph | None, width: float) -> float:
        inner = width - 2 * _Card.PAD
        height = _Card.TOP + name.wrap(inner, 1000)[1]
        if detail is not None:
            height += 2 * mm + detail.wrap(inner, 1000)[1]
        return height + _Card.PAD

    PAD = 3 * mm
    TOP = 5.5 * mm  # room for the star above the name

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(LOOK["card"])
        c.setStrokeColor(LOOK["card_edge"])
        c.setLineWidth(1)
        c.roundRect(0, 0, self.width, self.height, 2.5 * mm, stroke=1, fill=1)
        c.setLineWidth(0.4)
        c.roundRect(1.3 * mm, 1.3 * mm, self.width - 2.6 * mm, self.height - 2.6 * mm, 1.8 * mm, stroke=1, fill=0)
        c.setFillColor(LOOK["gold"])
        _star(c, self.width / 2, self.height - 3.4 * mm, 1.5 * mm)
        inner = self.width - 2 * self.PAD
        name_h = self.name.wrap(inner, self.height)[1]
        detail_h = self.detail.wrap(inner, self.height)[1] if self.detail is not None else 0
        block = name_h + (2 * mm + detail_h if self.detail is not None else 0)
        # Centred in the room under the star.
        room_top = self.height - self.TOP
        y = room_top - (room_top - self.PAD * 0.6 - block) / 2
        y -= name_h
        self.name.drawOn(c, self.PAD, y)
        if self.detail is not None:
            y -= 2 * mm + detail_h
            self.detail.drawOn(c, self.PAD, y)


class _CardRow(Flowable):
    """One row of cards, centred (a last row with fewer cards stays in the middle)."""

    def __init__(self, cards: list[_Card], width: float) -> None:
        super().__init__()
        self.cards, self.width = cards, width
        self.height = max(card.height for card in cards)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        gap = LOOK["gap"]
        card_width = self.cards[0].width
        used = len(self.cards) * card_width + (len(self.cards) - 1) * gap
        x = (self.width - used) / 2
        for card in self.cards:
            card.drawOn(self.canv, x, 0)
            x += card_width + gap


class _EmptyPanel(Flowable):
    def __init__(self, text: Paragraph, width: float, accent: colors.Color) -> None:
        super().__init__()
        self.text, self.width, self.height, self.accent = text, width, 70 * mm, accent

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(LOOK["card"])
        c.setStrokeColor(LOOK["card_edge"])
        c.setLineWidth(1)
        c.roundRect(0, 0, self.width, self.height, 3 * mm, stroke=1, fill=1)
        _w, h = self.text.wrap(self.width - 20 * mm, self.height)
        self.text.drawOn(c, 10 * mm, (self.height - h) / 2)


# --- the story --------------------------------------------------------------------------------------


def _layout(entries: list[RollEntry], width: float) -> tuple[int, int, float]:
    """(columns, rows, card width): the most columns in which every name fits one line at ``name_min``,
    then balanced (9 names in 5 + 4, never 8 + 1); cards no wider than ``card_max``."""
    gap = LOOK["gap"]
    longest = max(_width(e.name.strip(), HEI, LOOK["name_min"]) for e in entries)
    most = LOOK["columns"][-1]
    for columns in LOOK["columns"]:
        if longest <= (width - (columns - 1) * gap) / columns - 2 * _Card.PAD:
            most = columns
            break
    rows = -(-len(entries) // most)
    columns = -(-len(entries) // rows)
    card = min((width - (most - 1) * gap) / most, LOOK["card_max"])  # the same in every row, rows centred
    return columns, rows, card


def _detail(text: str, width: float, style: ParagraphStyle) -> Paragraph | None:
    """A card's detail; one too long for a line breaks at its " · " rather than inside a figure."""
    text = text.strip()
    if not text:
        return None
    plain = _para(text, style)
    if _width(text, style.fontName, style.fontSize) <= width:
        return plain
    if "·" in text:
        broken = "\n".join(part.strip() for part in text.split("·") if part.strip())
    else:  # at the space nearest the middle that doesn't part a figure from its unit ("48 次")
        spaces = [i for i, ch in enumerate(text) if ch == " " and not text[i - 1].isdigit()]
        if not spaces:
            return plain
        cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
        broken = text[:cut].rstrip() + "\n" + text[cut:].lstrip()
    neat = _para(broken, style)
    # Only when that costs no extra line: the cards of a section are as tall as the tallest.
    return neat if neat.wrap(width, 1e6)[1] <= plain.wrap(width, 1e6)[1] else plain


def _section(section: RollSection, width: float, st: dict, accent: colors.Color, *, paged: bool) -> list:
    entries = [e for e in section.entries if e.name.strip()]
    columns, _rows, card_width = _layout(entries, width)
    inner = card_width - 2 * _Card.PAD
    # One name size for the whole section: the largest at which every name fits one line (or name_min).
    size = min(_fitted(e.name.strip(), HEI, LOOK["name_size"], inner * 0.9, LOOK["name_min"]) for e in entries)
    name_style = ParagraphStyle(f"hr-name-{size:.1f}", parent=st["name"], fontSize=size, leading=size * 1.2)
    parts = [(_para(e.name, name_style), _detail(e.detail, inner, st["detail"])) for e in entries]
    height = max([LOOK["card_min_height"]] + [_Card.content_height(n, d, card_width) for n, d in parts])
    cards = [_Card(name, detail, card_width, height) for name, detail in parts]
    rows = [_CardRow(cards[k:k + columns], width) for k in range(0, len(cards), columns)]
    story: list = [_Ribbon(section.heading, width, accent), Spacer(1, 4 * mm)]
    if paged:  # a ribbon never ends a page alone
        story.insert(0, CondPageBreak(13 * mm + height + 12 * mm))
    for n, row in enumerate(rows):
        if n:
            story.append(Spacer(1, LOOK["row_gap"]))
        story.append(row)
    return story


def _closing(roll: HonourRoll, st: dict) -> list:
    parts: list = [Spacer(1, 9 * mm)]
    for text in roll.wording.footer.split("\n"):
        if text.strip():
            parts.append(_para(text, st["footer"]))
    parts.append(Spacer(1, 6 * mm))
    issuer = roll.wording.issuer.strip() or roll.station_name
    for text in issuer.split("\n"):
        if text.strip():
            parts.append(_para(text, st["issuer"]))
    if roll.wording.signatory.strip():
        parts.append(_para(roll.wording.signatory, st["issuer"]))
    parts.append(_para(long_date(roll.made_on), st["issuer"]))
    return parts


def _story(roll: HonourRoll, width: float, st: dict, accent: colors.Color, *, paged: bool = True) -> list:
    story: list = []
    for text in roll.wording.body.split("\n"):
        if text.strip():
            story.append(_para(text, st["body"]))
    if story:
        story.append(Spacer(1, 7 * mm))
    sections = [s for s in roll.sections if any(e.name.strip() for e in s.entries)]
    if not sections:
        story += [Spacer(1, 10 * mm), _EmptyPanel(_para(WORDING["empty"], st["empty"]), width, accent),
                  Spacer(1, 10 * mm)]
    for n, section in enumerate(sections):
        if n:
            story.append(Spacer(1, LOOK["section_gap"]))
        story += _section(section, width, st, accent, paged=paged)
    closing = _closing(roll, st)
    if paged and sections:  # the closing never stands alone on the last page: the last row goes with it
        return story[:-1] + [KeepTogether([story[-1], *closing])]
    return story + closing


class _Scaled(Flowable):
    """A one-page story laid out ``1 / scale`` wider, drawn at ``scale``: a roll a little too long for
    one sheet stays on one, slightly smaller, rather than spill a few names onto a second."""

    def __init__(self, story: list, width: float, scale: float) -> None:
        super().__init__()
        self.story, self.scale = story, scale
        self.virtual = width / scale
        self.heights = [f.wrap(self.virtual, 1e6)[1] for f in story]
        self.width, self.height = width, sum(self.heights) * scale

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.scale(self.scale, self.scale)
        y = self.height / self.scale
        for flowable, height in zip(self.story, self.heights, strict=True):
            y -= height
            flowable.drawOn(c, 0, y)
        c.restoreState()


def _one_page(roll: HonourRoll, width: float, height: float, st: dict, accent: colors.Color) -> list | None:
    """The roll on page 1 alone (scaled down no further than ``min_scale``), or None if it needs more."""
    for scale in LOOK["scales"]:
        story = _story(roll, width / scale, st, accent, paged=False)
        scaled = _Scaled(story, width, scale)
        if scaled.height <= height:
            return [scaled]
    return None


# --- the page ---------------------------------------------------------------------------------------


class _RollTemplate(BaseDocTemplate):
    """A3 portrait: cream paper in a red and gold border; page 1's big header band, later pages' small one."""

    def __init__(self, path: Path, roll: HonourRoll) -> None:
        register_fonts()
        enable_chinese_line_breaking()
        self.roll = roll
        self.accent = _accent(roll)
        self.title_text = roll.wording.title or f"{roll.year}年度{WORDING['subject']}"
        m, content = LOOK["page_margin"], LOOK["content_margin"]
        bottom = m + LOOK["footer_height"] + 6 * mm
        super().__init__(
            str(path), pagesize=A3, title=self.title_text, author=roll.station_name, subject=WORDING["subject"],
            creator="Station App", leftMargin=content, rightMargin=content,
            topMargin=m + LOOK["band_later"] + 12 * mm, bottomMargin=bottom,
            initialFontName=KAI, initialFontSize=LOOK["body_size"],
        )
        width, height = A3
        first_top = height - m - 4 - LOOK["band_first"] - 12 * mm
        first = Frame(content, bottom, width - 2 * content, first_top - bottom, id="first",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        later = Frame(content, bottom, self.width, self.height, id="later",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="first", frames=[first], onPage=self._first_page, autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[later], onPage=self._later_page),
        ])

    def _paper(self, canvas) -> None:  # noqa: ANN001 - a ReportLab canvas
        width, height = A3
        m = LOOK["page_margin"]
        canvas.setFillColor(LOOK["paper"])
        canvas.rect(0, 0, width, height, stroke=0, fill=1)
        canvas.setStrokeColor(self.accent)
        canvas.setLineWidth(3)
        canvas.rect(m, m, width - 2 * m, height - 2 * m)
        canvas.setStrokeColor(LOOK["gold"])
        canvas.setLineWidth(1)
        canvas.rect(m + 4, m + 4, width - 2 * m - 8, height - 2 * m - 8)
        for x, y in ((m + 4, m + 4), (width - m - 4, m + 4), (m + 4, height - m - 4), (width - m - 4, height - m - 4)):
            canvas.setFillColor(LOOK["gold"])
            _star(canvas, x, y, 3 * mm)
        # Footer: a gold rule and the slogan.
        y = m + LOOK["footer_height"]
        canvas.setStrokeColor(LOOK["gold"])
        canvas.setLineWidth(0.8)
        canvas.line(LOOK["content_margin"], y, width - LOOK["content_margin"], y)
        canvas.setFillColor(self.accent)
        canvas.setFont(HEI, 13)
        canvas.drawCentredString(width / 2, y - 8.5 * mm, WORDING["slogan"])

    def _band(self, canvas, band: float) -> tuple[float, float]:  # noqa: ANN001
        width, height = A3
        m = LOOK["page_margin"] + 4
        x0, y0, w = m, height - m - band, width - 2 * m
        canvas.setFillColor(self.accent)
        canvas.rect(x0, y0, w, band, stroke=0, fill=1)
        canvas.setStrokeColor(LOOK["gold"])
        canvas.setLineWidth(2.2)
        canvas.line(x0, y0 + 2.2 * mm, x0 + w, y0 + 2.2 * mm)
        canvas.setLineWidth(0.8)
        canvas.line(x0, y0 + 0.9 * mm, x0 + w, y0 + 0.9 * mm)
        return y0, band

    def _first_page(self, canvas, doc) -> None:  # noqa: ANN001 - ReportLab's canvas and doc
        canvas.saveState()
        self._paper(canvas)
        roll = self.roll
        width, _height = A3
        y0, band = self._band(canvas, LOOK["band_first"])
        top = y0 + band
        if roll.station_name.strip():
            name = roll.station_name.strip()
            canvas.setFillColor(LOOK["pale_gold"])
            canvas.setFont(font_for(name, HEI), 17)
            canvas.drawCentredString(width / 2, top - 14 * mm, name)
            half = _width(name, HEI, 17) / 2
            canvas.setStrokeColor(LOOK["pale_gold"])
            canvas.setLineWidth(0.7)
            canvas.line(width / 2 - half - 30 * mm, top - 12.5 * mm, width / 2 - half - 6 * mm, top - 12.5 * mm)
            canvas.line(width / 2 + half + 6 * mm, top - 12.5 * mm, width / 2 + half + 30 * mm, top - 12.5 * mm)
        size = _fitted(self.title_text, HEI, LOOK["title_size"], width - 90 * mm, LOOK["title_min"])
        title_y = top - 40 * mm
        _bold_centred(canvas, width / 2, title_y, self.title_text, HEI, size, colors.white, 1.3)
        half = _width(self.title_text, HEI, size) / 2
        canvas.setFillColor(LOOK["gold"])
        for side in (-1, 1):
            cx = width / 2 + side * (half + 14 * mm)
            _star(canvas, cx, title_y + size * 0.36, 6 * mm)
            _star(canvas, cx + side * 11 * mm, title_y + size * 0.36 + 5 * mm, 3 * mm)
        subtitle = roll.wording.subtitle.strip()
        if subtitle:
            _bold_centred(canvas, width / 2, title_y - 17 * mm, subtitle, HEI, 20, LOOK["pale_gold"], 0.2)
        canvas.restoreState()

    def _later_page(self, canvas, doc) -> None:  # noqa: ANN001
        canvas.saveState()
        self._paper(canvas)
        width, _height = A3
        y0, band = self._band(canvas, LOOK["band_later"])
        text = WORDING["continued"].format(title=self.title_text)
        size = _fitted(text, HEI, 26, width - 80 * mm, 16)
        _bold_centred(canvas, width / 2, y0 + band / 2 - size * 0.2, text, HEI, size, colors.white, 0.7)
        canvas.restoreState()


def _page_numbers(canvas, page: int, total: int) -> None:  # noqa: ANN001 - a ReportLab canvas
    """"第 x 页 共 y 页" at the foot, when the roll runs over more than one sheet."""
    if total < 2:
        return
    width, _height = A3
    canvas.setFillColor(LOOK["muted"])
    canvas.setFont(HEI, 10)
    canvas.drawRightString(width - LOOK["content_margin"], LOOK["page_margin"] + LOOK["footer_height"] - 8.5 * mm,
                           WORDING["page"].format(page=page, total=total))


def honour_roll(roll: HonourRoll, path: str | Path) -> Path:
    """Write the 光荣榜 as an A3 portrait PDF at ``path`` (fonts embedded); returns the path."""
    path = Path(path)
    template = _RollTemplate(path, roll)
    st = _styles(template.accent)
    first = template.pageTemplates[0].frames[0]
    story = _one_page(roll, first.width, first.height, st, template.accent)
    if story is None:
        story = _story(roll, template.width, st, template.accent)
    template.build(story, canvasmaker=numbered_canvas(_page_numbers))
    return path
