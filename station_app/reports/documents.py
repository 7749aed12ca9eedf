"""The printed documents of the print centre, as plain data: what a service hands a report to draw.

Every document carries its :class:`Wording` (the administrator's template with its placeholders
already filled, ``services/templates.py``), its certificate number, the signed QR payload
(``services/certificates.py``), the station's seal image if one is set, and ``copy_note``: empty for
the first print, "补打" text for a reprint, drawn on the paper so a reprint is visibly one.

Reports never look anything up: a field is printed as given (ID numbers arrive masked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Wording:
    """One document's texts after the template's placeholders are filled."""

    title: str  # 星级志愿者证书
    subtitle: str = ""  # e.g. "STAR VOLUNTEER CERTIFICATE" or the year of a roll
    body: str = ""  # the paragraph(s) under the name; "\n" separates paragraphs
    issuer: str = ""  # 颁发单位 (one or more lines, "\n")
    signatory: str = ""  # e.g. "站长：王建国"
    footer: str = ""  # small print at the foot
    accent: str = "#b22222"  # the border and title colour, "#rrggbb"


@dataclass(frozen=True)
class Stamp:
    """What every certificate carries besides its content."""

    certificate_no: str
    issued_on: date
    qr_payload: str  # the signed text the QR code holds (and verify-certificate checks)
    seal_png: bytes | None = None  # PNG with transparency, drawn over the issuer's name
    copy_note: str = ""  # "" on the first print; "补打 第 2 次打印 2026-12-01" on a reprint


@dataclass(frozen=True)
class StarCertificate:
    """星级志愿者证书 — A4 landscape."""

    stamp: Stamp
    wording: Wording
    name: str
    volunteer_no: str
    level: int  # 1–5, drawn as stars
    level_name: str  # 三星级志愿者
    hours_text: str  # cumulative counted hours at confirmation, e.g. "312.5"
    confirmed_on: date
    station_name: str


@dataclass(frozen=True)
class HonourCertificate:
    """荣誉证书 — A4 landscape, to a volunteer, a team or a project."""

    stamp: Stamp
    wording: Wording
    honour_title: str  # 年度优秀志愿者
    target_name: str  # a person's, a team's or a project's name
    target_kind: str  # volunteer / team / project
    awarded_on: date
    citation: str
    station_name: str


@dataclass(frozen=True)
class RecordLine:
    service_date: date
    content: str  # the activity's title or the record's content
    place: str
    hours_text: str


@dataclass(frozen=True)
class TrainingLine:
    held_on: date
    topic: str
    kind: str  # 岗前培训 …
    hours_text: str


@dataclass(frozen=True)
class HonourLine:
    awarded_on: date
    title: str  # an honour title, or a star level ("三星级志愿者")
    issuer: str
    certificate_no: str


@dataclass(frozen=True)
class RecordCertificate:
    """志愿服务记录证明 — A4 portrait, over as many pages as the records need, "第 x 页 共 y 页"."""

    stamp: Stamp
    wording: Wording
    name: str
    gender: str
    id_number_masked: str  # 4401**********123X: masked by the service, printed as given
    volunteer_no: str
    registered_on: date | None
    period_from: date
    period_to: date
    total_hours_text: str  # counted hours in the period
    record_count: int
    lines: list[RecordLine] = field(default_factory=list)
    trainings: list[TrainingLine] = field(default_factory=list)
    honours: list[HonourLine] = field(default_factory=list)
    station_name: str = ""
    person_in_charge: str = ""  # 负责人
    handler: str = ""  # 经办人 (the user printing)
    contact: str = ""  # the station's contact phone


@dataclass(frozen=True)
class RollEntry:
    name: str
    detail: str  # "三星级 · 312.5 小时" or an honour's citation, short


@dataclass(frozen=True)
class RollSection:
    heading: str  # 年度优秀志愿者 / 五星级志愿者 …
    entries: list[RollEntry]


@dataclass(frozen=True)
class HonourRoll:
    """光荣榜 — an A3 portrait poster for the noticeboard (§二.6, §四(二))."""

    wording: Wording
    year: int
    sections: list[RollSection]
    station_name: str
    made_on: date
