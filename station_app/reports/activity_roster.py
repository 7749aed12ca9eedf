"""The day's activity roster with a sign-in sheet (活动排班签到表).

Plain data in (:class:`RosterData`, built by ``services.activities.roster_data``), an A4 PDF
out through the shared sign-in sheet (``reports.signin``): the activity's facts on top (时间,
地点, 负责社工, 合作单位, 服务对象 …), then one table per shift listing its volunteers — the
shift's lead (带队) first — with blank rows for walk-ins. The wording is data (``WORDING``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..services.timefmt import WEEKDAYS
from .signin import SigninRow, SigninSection, SigninSheet, signin_sheet

WORDING = {
    "title": "{title} · 排班签到表",
    "when": "{day} {weekday} {start}–{end}",
    "when_days": "{day} {weekday} {start} 至 {end_day} {end}",
    "facts": {
        "station": "服务站",
        "when": "时间",
        "place": "地点",
        "item": "服务项目",
        "project": "所属项目",
        "lead": "负责社工",
        "partner": "合作单位",
        "recipients": "服务对象",
        "training": "上岗要求",
        "skills": "所需技能",
        "status": "状态",
        "description": "活动说明",
    },
    "recipients": "{n} 人",
    "training": "须参加过{t}",
    "section": "{label}　{start}–{end}　（名额 {capacity} 人）",
    "lead": "带队",
    "backbone": "骨干",
    "footer": "{station}　打印于 {printed}　活动结束后请交回服务站，据此登记服务时长",
    "file": "{day}_{title}_排班签到表.pdf",
}


@dataclass(frozen=True)
class RosterPerson:
    name: str
    volunteer_no: str
    phone: str  # masked unless the caller revealed it (the sheet masks it again anyway)
    role: str  # "member" / "lead"
    is_backbone: bool


@dataclass(frozen=True)
class RosterShift:
    label: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    people: list[RosterPerson] = field(default_factory=list)


@dataclass(frozen=True)
class RosterData:
    """What the roster printout needs, as plain data."""

    station_name: str
    title: str
    category_label: str
    service_item: str
    project_name: str
    starts_at: datetime
    ends_at: datetime
    place: str
    lead_social_worker: str
    partner: str
    recipients: int
    required_training_label: str
    skills: list[str]
    description: str
    status_label: str
    shifts: list[RosterShift]


def _when(start: datetime, end: datetime) -> str:
    values = {"day": start.date().isoformat(), "weekday": WEEKDAYS[start.weekday()], "start": f"{start:%H:%M}",
              "end": f"{end:%H:%M}", "end_day": end.date().isoformat()}
    return (WORDING["when"] if start.date() == end.date() else WORDING["when_days"]).format(**values)


def _note(person: RosterPerson) -> str:
    parts = []
    if person.role == "lead":
        parts.append(WORDING["lead"])
    if person.is_backbone:
        parts.append(WORDING["backbone"])
    return "、".join(parts)


def roster_sheet(data: RosterData, *, printed: date | None = None) -> SigninSheet:
    """The roster as a sign-in sheet: facts, then one section per shift."""
    words = WORDING["facts"]
    item = " · ".join(p for p in (data.category_label, data.service_item) if p)
    facts: list[tuple[str, str]] = [
        (words["when"], _when(data.starts_at, data.ends_at)),
        (words["place"], data.place),
        (words["item"], item),
    ]
    optional = (
        (words["project"], data.project_name),
        (words["lead"], data.lead_social_worker),
        (words["partner"], data.partner),
        (words["recipients"], WORDING["recipients"].format(n=data.recipients) if data.recipients else ""),
        (words["training"], WORDING["training"].format(t=data.required_training_label)
         if data.required_training_label else ""),
        (words["skills"], "、".join(data.skills)),
        (words["description"], data.description),
    )
    facts += [(label, value) for label, value in optional if value]
    sections = []
    for shift in data.shifts:
        heading = WORDING["section"].format(
            label=shift.label, start=f"{shift.starts_at:%H:%M}", end=f"{shift.ends_at:%H:%M}",
            capacity=shift.capacity,
        )
        rows = [
            SigninRow(number=n, name=p.name, volunteer_no=p.volunteer_no, phone=p.phone, note=_note(p))
            for n, p in enumerate(shift.people, start=1)
        ]
        sections.append(SigninSection(heading=heading, rows=rows))
    footer = WORDING["footer"].format(station=data.station_name, printed=(printed or date.today()).isoformat())
    return SigninSheet(title=WORDING["title"].format(title=data.title), facts=facts, sections=sections, footer=footer)


def activity_roster(data: RosterData, path: str | Path, *, printed: date | None = None) -> Path:
    """Write the roster sign-in sheet as an A4 PDF at ``path``; returns the path."""
    return signin_sheet(roster_sheet(data, printed=printed), path)


def roster_file_name(data: RosterData) -> str:
    """A file name a user recognises: 2026-12-05_敬老院义诊_排班签到表.pdf (no characters Windows refuses)."""
    title = "".join("_" if c in '\\/:*?"<>|' else c for c in data.title).strip() or "活动"
    return WORDING["file"].format(day=data.starts_at.date().isoformat(), title=title)
