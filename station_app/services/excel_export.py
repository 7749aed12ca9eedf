"""Excel exports of the roster (志愿者花名册), the needs (需求) and the awards (星级认定 and 嘉许).

The ledgers have their own export (``services/ledger_export.py``: ``export_xlsx``); this module
covers the lists staff keep in Excel. Every sheet has a bold, frozen header, widths that fit the
content, dates stored as dates, and ID and phone columns stored as text (so Excel never turns an
ID number into 4.42E+17). Personal data is written in full only for an actor who may reveal it
(``Permission.REVEAL_PERSONAL``), and such an export is written to the audit log; otherwise it is
masked as on screen.

The roster's columns carry the names the importer knows (``roster_import.COLUMN_ALIASES``), so an
export made with full ID numbers imports again elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import StationError
from ..i18n import _
from ..models import Skill, StarAward, Team, TeamMember, Volunteer, volunteer_skills
from . import audit
from .auth import Actor, Permission, require
from .honours import list_honours
from .hours import level_name
from .masking import mask_id_number, mask_phone
from .needs import list_needs
from .stars import REVIEW_LABELS
from .volunteers import POLITICAL_STATUSES, Status

KINDS = ("roster", "needs", "awards")
KIND_LABELS = {"roster": _("志愿者花名册"), "needs": _("需求清单"), "awards": _("星级认定与嘉许")}

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
HOURS_FORMAT = "0.00"
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="E8E8E8")


@dataclass(frozen=True)
class XCol:
    """A column: ``kind`` is text / id (stored as text) / date / number / hours (a number, 0.00)."""

    title: str
    kind: str = "text"
    width: float | None = None  # None: fitted to the content (within limits)


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[XCol, ...]
    rows: list[tuple[Any, ...]]


def _display_width(value: Any) -> int:
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value if value is not None else "")
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _widths(sheet: Sheet, sample: int = 2000) -> list[float]:
    widths = []
    for col, column in enumerate(sheet.columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = max((_display_width(r[col]) for r in sheet.rows[:sample]), default=0)
        widths.append(min(max(longest, _display_width(column.title), 6) + 2, 60))
    return widths


def write_workbook(sheets: Sequence[Sheet], path: str | Path, *, title: str = "") -> Path:
    """Write the sheets (write-only mode: a 100,000-row roster stays quick and small in memory)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    wb = Workbook(write_only=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        for col, width in enumerate(_widths(sheet), start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, column.title)
            cell.font, cell.fill = _BOLD, _FILL
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            cells = []
            for value, column in zip(row, sheet.columns, strict=True):
                if column.kind == "id":
                    cell = WriteOnlyCell(ws, None if value in (None, "") else str(value))
                    cell.number_format = TEXT_FORMAT
                elif column.kind == "date" and value is not None:
                    cell = WriteOnlyCell(ws, value.date() if isinstance(value, datetime) else value)
                    cell.number_format = DATE_FORMAT
                else:
                    cell = WriteOnlyCell(ws, value)
                    if column.kind == "hours":
                        cell.number_format = HOURS_FORMAT
                cells.append(cell)
            ws.append(cells)
        if sheet.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
    wb.properties.title = title
    wb.properties.creator = "Station App"
    try:
        wb.save(path)
    except OSError as exc:
        raise StationError(_("无法写入文件 {f}：{e}").format(f=path, e=exc.strerror or exc)) from exc
    return path


# --- the roster ------------------------------------------------------------------------------------
ROSTER_COLUMNS = (
    XCol(_("志愿者编号"), "id"), XCol(_("姓名")), XCol(_("性别"), width=6), XCol(_("出生日期"), "date", 12),
    XCol(_("身份证号"), "id", 22), XCol(_("手机号"), "id", 16), XCol(_("政治面貌")), XCol(_("楼栋")), XCol(_("单元")),
    XCol(_("房号")), XCol(_("技能")), XCol(_("服务队")), XCol(_("状态"), width=8), XCol(_("登记日期"), "date", 12),
    XCol(_("是否骨干"), width=9), XCol(_("是否业主"), width=9), XCol(_("紧急联系人")), XCol(_("紧急联系人电话"), "id", 16),
    XCol(_("备注")),
)


def roster_sheet(session: Session, actor: Actor, *, reveal: bool) -> Sheet:
    v = Volunteer
    skills: dict[int, list[str]] = {}
    for vid, name in session.execute(
        select(volunteer_skills.c.volunteer_id, Skill.name).join(Skill, Skill.id == volunteer_skills.c.skill_id)
        .join(v, v.id == volunteer_skills.c.volunteer_id).where(v.station_id == actor.station_id).order_by(Skill.name)
    ):
        skills.setdefault(vid, []).append(name)
    teams: dict[int, list[str]] = {}
    for vid, name in session.execute(
        select(TeamMember.volunteer_id, Team.name).join(Team, Team.id == TeamMember.team_id)
        .where(Team.station_id == actor.station_id).order_by(Team.name)
    ):
        teams.setdefault(vid, []).append(name)
    yes, no = _("是"), _("否")
    hide: Callable[[str], str] = (lambda s: s) if reveal else (lambda s: "***" if s else "")
    rows = []
    for r in session.execute(
        select(v.id, v.volunteer_no, v.name, v.gender, v.birth_date, v.id_number, v.phone, v.political_status,
               v.building, v.unit, v.room, v.status, v.registered_on, v.is_backbone, v.is_owner,
               v.emergency_contact, v.emergency_phone, v.notes)
        .where(v.station_id == actor.station_id).order_by(v.volunteer_no.is_(None), v.volunteer_no, v.id)
    ):
        rows.append((
            r.volunteer_no or "", r.name, r.gender, r.birth_date,
            r.id_number if reveal else mask_id_number(r.id_number),
            r.phone if reveal else mask_phone(r.phone),
            POLITICAL_STATUSES.get(r.political_status, r.political_status),
            hide(r.building), hide(r.unit), hide(r.room), "、".join(skills.get(r.id, ())), "、".join(teams.get(r.id, ())),
            Status(r.status).label, r.registered_on, yes if r.is_backbone else no, yes if r.is_owner else no,
            r.emergency_contact, (r.emergency_phone if reveal else mask_phone(r.emergency_phone)) if r.emergency_phone else "",
            r.notes,
        ))
    return Sheet(_("志愿者花名册"), ROSTER_COLUMNS, rows)


# --- needs -----------------------------------------------------------------------------------------
NEED_COLUMNS = (
    XCol(_("服务对象")), XCol(_("需求"), width=28), XCol(_("类别")), XCol(_("紧急程度"), width=9), XCol(_("状态"), width=9),
    XCol(_("提出日期"), "date", 12), XCol(_("已等待（天）"), "number", 12), XCol(_("项目")), XCol(_("活动")),
    XCol(_("说明"), width=40), XCol(_("希望时间"), width=20),
)


def needs_sheet(session: Session, actor: Actor) -> Sheet:
    rows = [
        (r.recipient_name, r.what, r.category_label or _("菜单外"), r.urgency_label, r.status.label, r.raised_on,
         r.days_open or None, r.project_name, r.activity_title, r.description, r.preferred_note)
        for r in list_needs(session, actor)
    ]
    return Sheet(_("需求清单"), NEED_COLUMNS, rows)


# --- awards ----------------------------------------------------------------------------------------
AWARD_COLUMNS = (
    XCol(_("姓名")), XCol(_("志愿者编号"), "id"), XCol(_("星级")), XCol(_("证书编号"), "id"), XCol(_("认定日期"), "date", 12),
    XCol(_("认定人")), XCol(_("认定时累计时长（小时）"), "hours", 20), XCol(_("状态"), width=11), XCol(_("复核说明"), width=30),
)
HONOUR_COLUMNS = (
    XCol(_("称号")), XCol(_("授予对象类别"), width=12), XCol(_("授予对象")), XCol(_("授予日期"), "date", 12),
    XCol(_("颁发单位")), XCol(_("证书编号"), "id"), XCol(_("嘉许词"), width=40), XCol(_("登记人")),
)


def awards_sheets(session: Session, actor: Actor) -> list[Sheet]:
    awards = session.execute(
        select(StarAward, Volunteer.name, Volunteer.volunteer_no)
        .join(Volunteer, Volunteer.id == StarAward.volunteer_id)
        .where(StarAward.station_id == actor.station_id)
        .order_by(StarAward.confirmed_on, StarAward.seq)
    ).all()
    star_rows = [
        (name, number or "", level_name(a.level), a.certificate_no, a.confirmed_on, a.confirmed_by_name,
         round(a.minutes_at_award / 60, 2),
         REVIEW_LABELS.get(a.review_status or "", a.review_status), a.review_note)
        for a, name, number in awards
    ]
    honour_rows = [
        (h.title, h.kind_label, h.target_name, h.awarded_on, h.issuer, h.certificate_no, h.citation, h.recorder_name)
        for h in reversed(list_honours(session, actor))
    ]
    return [Sheet(_("星级认定"), AWARD_COLUMNS, star_rows), Sheet(_("嘉许"), HONOUR_COLUMNS, honour_rows)]


# --- the one entry point ---------------------------------------------------------------------------
def export(session: Session, actor: Actor, kind: str, path: str | Path) -> tuple[Path, int]:
    """Write one export; returns the file and how many rows it holds.

    Runs in a writing unit of work: a roster with personal data in full is audited.
    """
    require(actor, Permission.VIEW)
    if kind not in KINDS:
        raise StationError(_("不能导出“{k}”：可以导出 {choices}。").format(k=kind, choices="、".join(KINDS)))
    title = KIND_LABELS[kind]
    if kind == "roster":
        reveal = actor.can(Permission.REVEAL_PERSONAL)
        sheets = [roster_sheet(session, actor, reveal=reveal)]
    elif kind == "needs":
        sheets = [needs_sheet(session, actor)]
    else:
        sheets = awards_sheets(session, actor)
    written = write_workbook(sheets, path, title=title)
    count = sum(len(s.rows) for s in sheets)
    if kind == "roster" and reveal:
        audit.record(session, actor, "export", "station", actor.station_id,
                     summary=_("导出志愿者花名册（含完整身份证号和电话）：{n} 名").format(n=count),
                     changes={"rows": [None, count]})
    return written, count


def default_file_name(kind: str, station_name: str = "", on: date | None = None) -> str:
    on = on or date.today()
    return "-".join(p for p in (KIND_LABELS.get(kind, kind), station_name, on.isoformat()) if p) + ".xlsx"
