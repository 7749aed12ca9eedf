"""Ledger views as documents, and documents as Excel workbooks (openpyxl).

A :class:`LedgerDocument` is what a ledger view prints: a title, a block of facts, tables (with
typed columns and a totals row) and notes (the monthly ledger's checkpoint). The screen, the
Excel workbook and the PDF (``reports/ledger_pdf``) are all drawn from it, so they say the same.

In the workbook each table is a sheet: a title row, the facts, a frozen header, one row per line
with dates stored as dates and hours as numbers (``0.00``), and a totals row. Personal data
arrives already masked by the view unless the actor may see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..errors import StationError
from ..i18n import _
from . import chain
from .hours import LINE_STATUS, LedgerLine, hours_text, level_name, stars_text
from .ledger_views import (
    ATTENDANCE_LABELS,
    CORRECTION_STATUS,
    EVALUATION_LABELS,
    ActivityLedger,
    MonthLedger,
    NamedLine,
    PartyLedger,
    ProjectLedger,
    TeamLedger,
    VolunteerLedger,
    category_label,
    span_text,
)
from .timefmt import when_text


# --- the document --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    """A column: ``kind`` is text / date / hours (the value is minutes) / count; ``width`` in characters."""

    title: str
    kind: str = "text"
    width: float = 12
    mm: float | None = None  # a fixed width on paper; None: dates, hours and counts get theirs, text shares the rest


@dataclass(frozen=True)
class Row:
    values: tuple[Any, ...]
    sub: bool = False  # a correction, shown indented under its record


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Col, ...]
    rows: list[Row]
    totals: tuple[Any, ...] | None = None  # a value per column (None: blank)
    empty: str = _("（无）")


@dataclass(frozen=True)
class LedgerDocument:
    title: str
    file_stem: str  # a file name without suffix: 台账-张三-SQ0101-00001
    facts: list[tuple[str, str]]
    tables: list[Table]
    notes: list[str] = field(default_factory=list)  # printed after the tables (at the foot of the last page)
    subtitle: str = ""


def cell_text(value: Any, kind: str) -> str:
    """A cell as printed or shown: dates as 2026-12-05, hours as staff say them."""
    if value is None:
        return ""
    if kind == "hours":
        return hours_text(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def safe_stem(*parts: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", "-".join(p for p in parts if p)).strip("_")


# --- views → documents ---------------------------------------------------------------------------
LINE_COLUMNS = (
    Col(_("日期"), "date", 13), Col(_("时间"), width=12, mm=22), Col(_("服务内容"), width=26),
    Col(_("类别"), width=10, mm=16), Col(_("地点"), width=14), Col(_("时长（小时）"), "hours", 10),
    Col(_("评价"), width=8, mm=11), Col(_("状态"), width=8, mm=12),
)


def _line_row(line: LedgerLine, *lead: Any) -> Row:
    evaluation = EVALUATION_LABELS.get(line.evaluation, line.evaluation)
    if line.attendance == "late":
        evaluation = f"{evaluation}（{ATTENDANCE_LABELS['late']}）" if evaluation else ATTENDANCE_LABELS["late"]
    return Row((*lead, line.service_date, span_text(line), line.content, category_label(line.category), line.place,
                line.minutes, evaluation, LINE_STATUS.get(line.status, line.status)))


def _correction_rows(line: LedgerLine, lead_blanks: int) -> list[Row]:
    """The record's history under it: what was first entered (when changed), then each correction."""
    rows = []
    if line.corrections and line.original_minutes != line.minutes:
        rows.append(Row((*([None] * lead_blanks), None, None, _("　└ 原登记 {h} 小时").format(
            h=hours_text(line.original_minutes)), None, None, None, None, None), sub=True))
    for c in line.corrections:
        note = _("　└ 更正：{r}（{who}）").format(r=c.reason, who=c.recorder_name)
        if c.status != "pending" and c.decided_by:
            note += _("；{d}审批").format(d=c.decided_by)
        rows.append(Row((*([None] * lead_blanks), None, span_text(None, c.starts_at, c.ends_at), note, None, None,
                         c.minutes, None, CORRECTION_STATUS.get(c.status, c.status)), sub=True))
    return rows


def _lines_table(title: str, lines: list, lead: tuple[Col, ...] = (), lead_of=None) -> Table:
    rows: list[Row] = []
    for item in lines:
        line = item.line if isinstance(item, NamedLine) else item
        values = lead_of(item) if lead_of else ()
        rows.append(_line_row(line, *values))
        rows.extend(_correction_rows(line, len(lead)))
    total = sum((item.line if isinstance(item, NamedLine) else item).counted_minutes for item in lines)
    blanks = [None] * (len(lead) + len(LINE_COLUMNS))
    blanks[0] = _("合计（已计入）")
    blanks[len(lead) + 5] = total
    return Table(title, lead + LINE_COLUMNS, rows, tuple(blanks))


def _sum_table(title: str, first: Col, items: list[tuple[Any, int]]) -> Table:
    rows = [Row((key, minutes)) for key, minutes in items]
    return Table(title, (first, Col(_("时长（小时）"), "hours", 12)), rows,
                 (_("合计"), sum(m for _k, m in items)))


def volunteer_document(view: VolunteerLedger) -> LedgerDocument:
    v = view.volunteer
    facts = [
        (_("姓名"), v.name), (_("编号"), v.volunteer_no or "—"), (_("身份证号"), v.id_number),
        (_("政治面貌"), v.political_status), (_("注册日期"), v.registered_on.isoformat() if v.registered_on else "—"),
        (_("服务队"), "、".join(v.team_names) or "—"),
        (_("累计时长"), _("{h} 小时").format(h=hours_text(view.total_minutes))),
        (_("星级"), f"{level_name(view.star_level)} {stars_text(view.star_level) if view.star_level else ''}".strip()),
        (_("培训学时"), _("{h} 小时（不计入服务时长）").format(h=hours_text(view.training.total_minutes))),
        (_("统计日期"), view.made_on.isoformat()),
    ]
    training = Table(
        _("培训记录"),
        (Col(_("日期"), "date", 11), Col(_("类型"), width=10), Col(_("主题"), width=28), Col(_("出勤"), width=10),
         Col(_("学时"), "hours", 8)),
        [Row((t.starts_at.date(), t.kind_label, t.topic, t.attendance_label, t.credited_minutes))
         for t in view.training.rows],
        (_("合计"), None, None, None, view.training.total_minutes),
    )
    awards = Table(
        _("星级认定"),
        (Col(_("星级"), width=14), Col(_("认定日期"), "date", 11), Col(_("证书编号"), width=20),
         Col(_("认定人"), width=10), Col(_("认定时时长"), "hours", 10), Col(_("状态"), width=10)),
        [Row((level_name(a.level), a.confirmed_on, a.certificate_no, a.confirmed_by, a.minutes_at_award,
              a.review_status)) for a in view.awards],
    )
    honours = Table(
        _("嘉许"),
        (Col(_("荣誉"), width=16), Col(_("日期"), "date", 11), Col(_("证书编号"), width=20),
         Col(_("颁发单位"), width=18), Col(_("事迹"), width=30)),
        [Row((h.title, h.awarded_on, h.certificate_no, h.issuer, h.citation)) for h in view.honours],
    )
    return LedgerDocument(
        _("志愿服务记录台账（个人）"), safe_stem(_("个人台账"), v.name, v.volunteer_no), facts,
        [
            _lines_table(_("服务记录"), view.lines),
            _sum_table(_("按年度合计"), Col(_("年度"), "count", 8), view.by_year),
            _sum_table(_("按服务类别合计"), Col(_("服务类别"), width=14), view.by_category),
            training, awards, honours,
        ],
        subtitle=f"{v.name}　{v.volunteer_no}".strip(),
    )


PERSON_LEAD = (Col(_("志愿者"), width=10, mm=16), Col(_("志愿者编号"), width=16, mm=31))


def activity_document(view: ActivityLedger) -> LedgerDocument:
    facts = [
        (_("活动"), view.title), (_("所属项目"), view.project_name or "—"), (_("类别"), view.category),
        (_("时间"), when_text(view.starts_at, view.ends_at)), (_("地点"), view.place),
        (_("参与人数"), _("{n} 人").format(n=view.people)),
        (_("合计时长"), _("{h} 小时").format(h=hours_text(view.total_minutes))),
    ]
    table = _lines_table(_("服务记录"), view.lines, PERSON_LEAD, lambda n: (n.name, n.volunteer_no))
    stem = safe_stem(_("活动台账"), view.starts_at.date().isoformat(), view.title)
    return LedgerDocument(_("志愿服务记录台账（活动）"), stem, facts, [table], subtitle=view.title)


def project_document(view: ProjectLedger) -> LedgerDocument:
    facts = [
        (_("项目"), view.name), (_("类别"), view.category),
        (_("项目周期"), f"{view.starts_on.isoformat()} — {view.ends_on.isoformat()}"),
        (_("负责社工"), view.lead_social_worker or "—"), (_("活动数"), str(len(view.activities))),
        (_("参与人数"), _("{n} 人").format(n=view.people)),
        (_("合计时长"), _("{h} 小时").format(h=hours_text(view.total_minutes))),
    ]
    activities = Table(
        _("活动"),
        (Col(_("日期"), "date", 11), Col(_("活动"), width=28), Col(_("地点"), width=16), Col(_("人数"), "count", 8),
         Col(_("时长（小时）"), "hours", 10)),
        [Row((a.starts_at.date(), a.title, a.place, a.people, a.minutes)) for a in view.activities],
        (_("合计"), None, None, None, view.total_minutes),
    )
    lines = _lines_table(_("服务记录"), view.lines, PERSON_LEAD, lambda n: (n.name, n.volunteer_no))
    return LedgerDocument(_("志愿服务记录台账（项目）"), safe_stem(_("项目台账"), view.name), facts,
                          [activities, lines], subtitle=view.name)


def team_document(view: TeamLedger) -> LedgerDocument:
    period = f"{view.date_from.isoformat()} — {view.date_to.isoformat()}"
    facts = [
        (_("服务队"), view.name), (_("统计期间"), period), (_("成员数"), _("{n} 人").format(n=len(view.members))),
        (_("期间合计"), _("{h} 小时").format(h=hours_text(view.total_minutes))),
    ]
    members = Table(
        _("成员服务时长"),
        (Col(_("姓名"), width=10), Col(_("志愿者编号"), width=16), Col(_("服务次数"), "count", 9, mm=18),
         Col(_("期间时长（小时）"), "hours", 14, mm=30), Col(_("累计时长（小时）"), "hours", 14, mm=30),
         Col(_("星级"), width=14)),
        [Row((m.name, m.volunteer_no, m.services, m.minutes, m.total_minutes, level_name(m.star_level)))
         for m in view.members],
        (_("合计"), None, sum(m.services for m in view.members), view.total_minutes, None, None),
    )
    lines = _lines_table(_("服务记录"), view.lines, PERSON_LEAD, lambda n: (n.name, n.volunteer_no))
    stem = safe_stem(_("服务队台账"), view.name, period.replace(" — ", "至"))
    return LedgerDocument(_("志愿服务记录台账（服务队）"), stem, facts, [members, lines],
                          subtitle=f"{view.name}　{period}")


def checkpoint_notes(checkpoint: chain.Checkpoint | None, fingerprint: str) -> list[str]:
    """What the monthly ledger prints at its foot so the chain can be checked from paper years later."""
    if checkpoint is None:
        return [_("本站尚未签署台账检查点：请站长在“校验台账”中签署，再打印本月台账。")]
    made_on = checkpoint.made_on.isoformat() if checkpoint.made_on else "—"
    short = f"{checkpoint.count} {checkpoint.head_hash}"
    return [
        _("台账检查点（已签名）：截至 {d} 共 {n} 条，站点 {s}").format(
            d=made_on, n=checkpoint.count, s=checkpoint.station_code),
        _("链头哈希：{h}").format(h=chain.grouped(checkpoint.head_hash)),
        _("签名：{s}").format(s=chain.grouped(checkpoint.signature) or "—"),
        _("本站公钥指纹：{f}").format(f=fingerprint or "—"),
        _("核对方法：在“校验台账”对话框中输入一行“{n} 链头哈希”（空格可有可无），"
          "或运行 station-app verify --checkpoint \"{s}\"。与库中台账不符即说明台账被改动或重建过。").format(
            n=checkpoint.count, s=short),
    ]


def month_document(view: MonthLedger) -> LedgerDocument:
    month = f"{view.year}-{view.month:02d}"
    facts = [
        (_("站点"), f"{view.station_name}（{view.station_code}）"), (_("月份"), month),
        (_("记录条数"), str(len(view.lines))), (_("参与人数"), _("{n} 人").format(n=view.people)),
        (_("合计时长"), _("{h} 小时").format(h=hours_text(view.total_minutes))),
    ]
    if view.waiting:
        facts.append((_("待审批"), _("{n} 条（审批后才计入，未列出）").format(n=view.waiting)))
    lines = Table(
        _("服务记录"),
        (Col(_("日期"), "date", 11), *PERSON_LEAD, Col(_("服务内容"), width=24), Col(_("类别"), width=10, mm=16),
         Col(_("地点"), width=12), Col(_("时间"), width=12, mm=22), Col(_("时长（小时）"), "hours", 10)),
        [Row((n.line.service_date, n.name, n.volunteer_no, n.line.content, category_label(n.line.category),
              n.line.place, span_text(n.line), n.line.counted_minutes)) for n in view.lines],
        (_("合计"), None, None, None, None, None, None, view.total_minutes),
    )
    return LedgerDocument(
        _("志愿服务记录台账（{m} 月度）").format(m=month), safe_stem(_("月度台账"), view.station_code, month), facts,
        [lines, _sum_table(_("按服务类别合计"), Col(_("服务类别"), width=14), view.by_category)],
        checkpoint_notes(view.checkpoint, view.fingerprint), subtitle=view.station_name,
    )


def party_document(view: PartyLedger) -> LedgerDocument:
    facts = [(_("站点"), view.station_name), (_("年度"), str(view.year))]
    facts += [(g.label, _("{n} 人，{h} 小时").format(n=len(g.rows), h=hours_text(g.minutes))) for g in view.groups]
    tables = [
        Table(
            g.label,
            (*PERSON_LEAD, Col(_("政治面貌"), width=12), Col(_("身份证号"), width=20, mm=38),
             Col(_("服务次数"), "count", 9, mm=16), Col(_("年度时长（小时）"), "hours", 14, mm=24),
             Col(_("累计时长（小时）"), "hours", 14, mm=24)),
            [Row((r.name, r.volunteer_no, r.political_status, r.id_number, r.services, r.minutes, r.total_minutes))
             for r in g.rows],
            (_("合计"), None, None, None, sum(r.services for r in g.rows), g.minutes, None),
        )
        for g in view.groups
    ]
    return LedgerDocument(_("{y} 年度党员、团员志愿服务时长（党团服务平台）").format(y=view.year),
                          safe_stem(_("党团服务时长"), str(view.year)), facts, tables, subtitle=view.station_name)


def document_of(view: object) -> LedgerDocument:
    """The document of any ledger view."""
    for kind, make in (
        (VolunteerLedger, volunteer_document), (ActivityLedger, activity_document), (ProjectLedger, project_document),
        (TeamLedger, team_document), (MonthLedger, month_document), (PartyLedger, party_document),
    ):
        if isinstance(view, kind):
            return make(view)  # type: ignore[arg-type]
    if isinstance(view, LedgerDocument):
        return view
    raise TypeError(f"not a ledger view: {type(view).__name__}")


# --- Excel ---------------------------------------------------------------------------------------
DATE_FORMAT = "yyyy-mm-dd"
HOURS_FORMAT = "0.00"
COUNT_FORMAT = "0"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_MUTED = Font(color="666666")
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
_SUB_FONT = Font(color="555555", italic=True)


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "hours" and isinstance(value, int):
        return round(value / 60, 2)
    if kind == "date" and isinstance(value, datetime):
        return value.date()
    return value


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "Sheet"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name[:26]}{n}", n + 1
    taken.add(candidate)
    return candidate


def _write_table(ws, doc: LedgerDocument, table: Table) -> None:
    width = len(table.columns)
    ws.append([f"{doc.title}　{table.title}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    ws.cell(1, 1).font = _TITLE
    ws.append(["　".join(f"{label}：{value}" for label, value in doc.facts)])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 1))
    ws.cell(2, 1).font = _MUTED
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    line_chars = sum(c.width for c in table.columns) or 1
    ws.row_dimensions[2].height = 15 * (len(ws.cell(2, 1).value) * 2 // line_chars + 1)
    ws.append([c.title for c in table.columns])
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(3, col)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = column.width + 2
    ws.freeze_panes = "A4"
    for row in table.rows:
        ws.append([_cell_value(v, c.kind) for v, c in zip(row.values, table.columns, strict=True)])
        _format_row(ws, ws.max_row, table, italic=row.sub)
    if not table.rows:
        ws.append([table.empty])
    if table.totals is not None:
        ws.append([_cell_value(v, c.kind) for v, c in zip(table.totals, table.columns, strict=True)])
        _format_row(ws, ws.max_row, table)
        for col in range(1, width + 1):
            ws.cell(ws.max_row, col).font = _BOLD
    for note in doc.notes if table is doc.tables[0] else []:
        ws.append([])
        ws.append([note])


def _format_row(ws, row: int, table: Table, *, italic: bool = False) -> None:
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(row, col)
        if column.kind == "date":
            cell.number_format = DATE_FORMAT
        elif column.kind == "hours":
            cell.number_format = HOURS_FORMAT
        elif column.kind == "count":
            cell.number_format = COUNT_FORMAT
        if italic:
            cell.font = _SUB_FONT


def write_xlsx(doc: LedgerDocument, path: str | Path) -> Path:
    """Write the document as an Excel workbook, one sheet per table; returns the path."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in doc.tables:
        _write_table(wb.create_sheet(_sheet_name(table.title, taken)), doc, table)
    wb.properties.title = doc.title
    wb.properties.creator = "Station App"
    try:
        wb.save(path)
    except OSError as exc:
        raise StationError(_("无法写入文件 {f}：{e}").format(f=path, e=exc.strerror or exc)) from exc
    return path


def export_xlsx(view: object, path: str | Path) -> Path:
    """Any ledger view (or document) to an Excel workbook at ``path``."""
    return write_xlsx(document_of(view), path)
