"""The A4 recruitment poster (招募海报) for the noticeboard.

Plain data in (:class:`PosterData`, built by ``services.recruitment.poster_data``), PDF bytes
out. The page decoration (border, header band, footer) is drawn by the page template; the
wording and the look are the data below (``WORDING``, ``LOOK``), not scattered in the code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .cjk import enable_chinese_line_breaking
from .fonts import HEI, KAI, font_for, register_fonts


@dataclass(frozen=True)
class PosterData:
    station_name: str
    station_address: str
    title: str
    project_name: str
    project_category: str  # label, e.g. 帮扶行动
    project_goal: str
    requirements: str
    skills: list[str] = field(default_factory=list)
    age_range: str = ""  # e.g. "18 至 65 周岁", "" for no limit
    service_times: str = ""  # e.g. "周六上午；每周六 9:00–11:00"
    slots: int = 0
    deadline: date = date(2000, 1, 1)
    contact_name: str = ""
    contact_phone: str = ""  # the station's public contact number, printed in full
    published_on: date = date(2000, 1, 1)


WORDING = {
    "kicker": "志愿者招募",
    "project": "所属项目：{project}（{category}）",
    "goal": "项目目标",
    "rows": (
        ("requirements", "服务内容与要求"),
        ("skills", "技能要求"),
        ("age_range", "年龄要求"),
        ("service_times", "服务时间"),
        ("slots", "招募名额"),
        ("deadline", "报名截止"),
        ("contact", "联 系 人"),
        ("contact_phone", "联系电话"),
    ),
    "none": "不限",
    "slots": "{n} 人",
    "deadline": "{y}年{m}月{d}日",
    "how_title": "报名方式",
    "how": (
        "请于{deadline}前到{station}报名，或致电{name}：{phone}。"
        "已注册的志愿者请报姓名和志愿者编号；尚未注册的居民请携带身份证，现场登记后即可报名，"
        "经服务站审核通过成为注册志愿者。名额有限，报满即止。"
    ),
    "footer_left": "{station}　{address}",
    "footer_right": "发布日期：{published}",
    "slogan": "奉献　友爱　互助　进步",
}

LOOK = {
    "accent": colors.HexColor("#b3261e"),
    "ink": colors.HexColor("#222222"),
    "muted": colors.HexColor("#666666"),
    "panel": colors.HexColor("#fbf3e9"),
    "page_margin": 12 * mm,
    "header_height": 18 * mm,
    "footer_height": 14 * mm,
    "content_margin": 22 * mm,
    "title_size": 30,
    "body_size": 13,
}


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = LOOK["body_size"]
    base = ParagraphStyle("base", fontName=KAI, fontSize=body, leading=body * 1.55, textColor=LOOK["ink"],
                          wordWrap="CJK", alignment=TA_LEFT)
    return {
        "kicker": ParagraphStyle("kicker", parent=base, fontName=HEI, fontSize=18, leading=24, alignment=TA_CENTER,
                                 textColor=LOOK["accent"]),
        "title": ParagraphStyle("title", parent=base, fontName=HEI, fontSize=LOOK["title_size"],
                                leading=LOOK["title_size"] * 1.3, alignment=TA_CENTER),
        "project": ParagraphStyle("project", parent=base, fontSize=14, leading=20, alignment=TA_CENTER,
                                  textColor=LOOK["muted"]),
        "label": ParagraphStyle("label", parent=base, fontName=HEI, textColor=LOOK["accent"]),
        "body": base,
        "big": ParagraphStyle("big", parent=base, fontName=HEI, fontSize=body + 3, leading=(body + 3) * 1.4),
        "heading": ParagraphStyle("heading", parent=base, fontName=HEI, fontSize=16, leading=22,
                                  textColor=LOOK["accent"]),
    }


def _text(value: str) -> str:
    """User text for a Paragraph: markup characters escaped, line breaks kept."""
    return escape(value.strip()).replace("\n", "<br/>")


def _para(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph in ``style``'s font, or in WenKai when that font lacks a character (䶮, 𠮷)."""
    if style.fontName != KAI and font_for(value, style.fontName) == KAI:
        style = ParagraphStyle(style.name + "-kai", parent=style, fontName=KAI)
    return Paragraph(_text(value), style)


def _long_date(d: date) -> str:
    return WORDING["deadline"].format(y=d.year, m=d.month, d=d.day)


class PosterTemplate(BaseDocTemplate):
    """One A4 page: a double border, a header band with the station's name, a footer."""

    def __init__(self, target, data: PosterData) -> None:  # noqa: ANN001 - a path or a file object
        register_fonts()
        enable_chinese_line_breaking()
        self.data = data
        super().__init__(
            target, pagesize=A4, title=data.title, author=data.station_name, subject=WORDING["kicker"],
            creator="Station App", leftMargin=LOOK["content_margin"], rightMargin=LOOK["content_margin"],
            topMargin=LOOK["page_margin"] + LOOK["header_height"] + 8 * mm,
            bottomMargin=LOOK["page_margin"] + LOOK["footer_height"] + 4 * mm,
            # The canvas starts in our font, so no unembedded Helvetica is listed in the PDF.
            initialFontName=KAI, initialFontSize=LOOK["body_size"],
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="content",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="poster", frames=[frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:  # noqa: ANN001 - ReportLab's canvas and doc
        data = self.data
        width, height = A4
        m = LOOK["page_margin"]
        accent = LOOK["accent"]
        canvas.saveState()
        # Double border.
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(2.5)
        canvas.rect(m, m, width - 2 * m, height - 2 * m)
        canvas.setLineWidth(0.8)
        canvas.rect(m + 4, m + 4, width - 2 * m - 8, height - 2 * m - 8)
        # Header band with the station's name.
        band = LOOK["header_height"]
        canvas.setFillColor(accent)
        canvas.rect(m + 4, height - m - 4 - band, width - 2 * m - 8, band, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        name_font = font_for(data.station_name)
        canvas.setFont(name_font, 17)
        canvas.drawCentredString(width / 2, height - m - 4 - band / 2 - 6, data.station_name)
        # Footer: a rule, the station and its address, the publishing date, the slogan.
        y = m + LOOK["footer_height"]
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(0.6)
        canvas.line(m + 14, y, width - m - 14, y)
        canvas.setFillColor(LOOK["muted"])
        left = WORDING["footer_left"].format(station=data.station_name, address=data.station_address).strip()
        canvas.setFont(font_for(left, KAI), 9)
        canvas.drawString(m + 16, y - 13, left)
        canvas.drawRightString(width - m - 16, y - 13,
                               WORDING["footer_right"].format(published=data.published_on.isoformat()))
        canvas.setFont(HEI, 9)
        canvas.setFillColor(accent)
        canvas.drawCentredString(width / 2, y - 27, WORDING["slogan"])
        canvas.restoreState()


def _story(data: PosterData, frame_width: float, frame_height: float) -> list:
    st = _styles()
    none = WORDING["none"]
    values = {
        "requirements": data.requirements or none,
        "skills": "、".join(data.skills) if data.skills else none,
        "age_range": data.age_range or none,
        "service_times": data.service_times or none,
        "slots": WORDING["slots"].format(n=data.slots),
        "deadline": _long_date(data.deadline),
        "contact": data.contact_name,
        "contact_phone": data.contact_phone,
    }
    big = {"slots", "deadline", "contact_phone"}
    rows = [
        [_para(label, st["label"]), _para(values[key], st["big"] if key in big else st["body"])]
        for key, label in WORDING["rows"]
    ]
    label_width = 38 * mm
    table = Table(rows, colWidths=[label_width, frame_width - label_width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), KAI),  # not the Helvetica default, which is not embedded
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.HexColor("#e0c9b5")),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story: list = [
        _para(WORDING["kicker"], st["kicker"]),
        Spacer(1, 4 * mm),
        _para(data.title, st["title"]),
        Spacer(1, 3 * mm),
        _para(WORDING["project"].format(project=data.project_name, category=data.project_category), st["project"]),
        Spacer(1, 6 * mm),
    ]
    if data.project_goal.strip():
        goal = Table(
            [[_para(WORDING["goal"], st["label"])], [_para(data.project_goal, st["body"])]],
            colWidths=[frame_width],
        )
        goal.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), KAI),
                    ("BACKGROUND", (0, 0), (-1, -1), LOOK["panel"]),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                    ("TOPPADDING", (0, 0), (-1, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
                ]
            )
        )
        story += [goal, Spacer(1, 6 * mm)]
    how = WORDING["how"].format(
        deadline=_long_date(data.deadline), station=data.station_name, name=data.contact_name, phone=data.contact_phone
    )
    story += [table, Spacer(1, 8 * mm), _para(WORDING["how_title"], st["heading"]), Spacer(1, 2 * mm),
              _para(how, st["body"])]
    # Everything on one page: a long text shrinks the poster's type rather than spill over.
    return [KeepInFrame(frame_width, frame_height, story, mode="shrink")]


def recruitment_poster(data: PosterData, path: str | Path | None = None) -> bytes:
    """The poster as PDF bytes (also written to ``path`` when given). Fonts are embedded."""
    buffer = io.BytesIO()
    doc = PosterTemplate(buffer, data)
    doc.build(_story(data, doc.width, doc.height))
    pdf = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(pdf)
    return pdf
