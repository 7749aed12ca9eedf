"""Importing a volunteer roster (志愿者花名册) from the Excel sheets stations really keep.

Such sheets have a title (or several) above the header, headers named in many ways (身份证号 /
身份证号码 / 公民身份号码 …), ID numbers stored as numbers or — after Excel has had them — in
scientific notation with their last digits gone, full-width digits, stray spaces, a lower-case x,
dates typed as text in four ways or stored as serial numbers, and cells merged over several people
(楼栋 merged over a household). :func:`preview` reads such a sheet and gives every row a verdict:

* 新增 — valid and not on file: will be imported;
* 已有 — the ID number is on file already: not imported, the differences are listed;
* 错误 — the reasons, in Chinese; never guessed (an ID number Excel has cut short is an error
  telling how to fix the column, not a number made up);
* 跳过 — the template's example row.

:func:`import_rows` then imports the 新增 rows in ONE unit of work through ``register_volunteer``
(the registration form's own service: same validation, same audit entries). An actor who may
review (站长) gets them 已注册 at once through ``review_volunteer`` — the usual numbering, in the
order of the sheet — with the sheet's 登记日期 kept as the registration date; a 录入员's import
stays 申请中 for the 站长 to review, as a form entry would (``approve=False`` asks for that
explicitly). Any failure raises and the caller's unit of work rolls back: nothing is half-imported.

:func:`write_error_sheet` writes the failed rows with their original columns and a 错误原因 column,
which the user fixes and imports again; :func:`write_template` writes the downloadable template.

Test hook: when the environment variable ``STATION_APP_TEST_IMPORT_ROW_DELAY`` holds a number of
seconds, :func:`import_rows` sleeps that long after each row, so a test can kill the process while
the import is writing (``tests/test_killed_import.py``). It has no other effect.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from ..errors import StationError, ValidationError
from ..i18n import _
from ..models import Team, Volunteer
from . import audit
from .auth import Actor, Permission, require
from .masking import mask_id_number, mask_phone
from .validation import (
    normalize_id_number,
    parse_date,
    parse_id_number,
    split_skills,
    validate_name,
    validate_phone,
)
from .volunteers import POLITICAL_STATUSES, BatchRow, Status, VolunteerInput, register_many
from .volunteers import _validated as validated_volunteer  # the registration form's own checks

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

TEST_DELAY_ENV = "STATION_APP_TEST_IMPORT_ROW_DELAY"
HEADER_SEARCH_ROWS = 30
ERROR_COLUMN = _("错误原因")


class Verdict(StrEnum):
    NEW = "new"
    EXISTING = "existing"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {
    Verdict.NEW: _("新增"),
    Verdict.EXISTING: _("已有（身份证号相同）"),
    Verdict.ERROR: _("错误"),
    Verdict.SKIPPED: _("跳过"),
}


# --- the columns a roster may have -----------------------------------------------------------------
#: field -> the header names it is known by (compared after removing spaces, "*" and bracketed notes).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "志愿者姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "电话号码", "移动电话"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月", "生日", "出生年月日"),
    "political_status": ("政治面貌",),
    "building": ("楼栋", "栋", "楼号", "栋号", "楼栋号", "栋数"),
    "unit": ("单元", "单元号"),
    "room": ("房号", "门牌号", "房间号", "房号(室)", "室"),
    "address": ("住址", "地址", "家庭住址", "居住地址", "现住址", "小区住址"),
    "skills": ("技能", "特长", "服务技能", "技能特长", "专长", "特长技能"),
    "teams": ("服务队", "所属服务队", "队伍", "所在服务队"),
    "registered_on": ("登记日期", "注册日期", "登记时间", "注册时间", "入队日期"),
    "notes": ("备注", "说明"),
    "emergency_contact": ("紧急联系人",),
    "emergency_phone": ("紧急联系人电话", "紧急联系电话", "紧急联系人手机"),
    "is_owner": ("是否业主", "业主"),
    "is_backbone": ("是否骨干", "骨干"),
}
FIELD_LABELS = {
    "name": _("姓名"), "id_number": _("身份证号"), "phone": _("手机号"), "gender": _("性别"),
    "birth_date": _("出生日期"), "political_status": _("政治面貌"), "building": _("楼栋"), "unit": _("单元"),
    "room": _("房号"), "address": _("住址"), "skills": _("技能"), "teams": _("服务队"),
    "registered_on": _("登记日期"), "notes": _("备注"), "emergency_contact": _("紧急联系人"),
    "emergency_phone": _("紧急联系人电话"), "is_owner": _("是否业主"), "is_backbone": _("是否骨干"),
}
REQUIRED_FIELDS = ("name", "id_number", "phone")


def _header_key(text: Any) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"[(\[【][^)\]】]*[)\]】]", "", text)  # （必填）, (文本格式)
    return re.sub(r"[\s*:：]", "", text).lower()


_ALIAS_INDEX = {_header_key(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}

POLITICAL_ALIASES = {
    **{label: code for code, label in POLITICAL_STATUSES.items()},
    "党员": "party_member", "中国共产党党员": "party_member", "共产党员": "party_member",
    "预备党员": "probationary_party_member", "团员": "league_member", "共青团": "league_member",
    "中国共产主义青年团团员": "league_member", "无": "masses", "": "masses",
}
_YES = {"是", "y", "yes", "√", "✓", "1", "true", "对"}
_NO = {"否", "n", "no", "×", "0", "false", "", "不是"}
_FOOTER_WORDS = ("注", "说明", "制表", "填表", "合计", "审核", "负责人", "备注：")


# --- what preview returns --------------------------------------------------------------------------
@dataclass
class RowVerdict:
    """One data row of the sheet and what will happen to it."""

    row_number: int  # the row in the sheet, as Excel numbers it
    name: str
    id_display: str  # masked (or "" / what was typed when it is not an ID number)
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)  # errors, or the differences from the volunteer on file
    values: list[Any] = field(default_factory=list)  # the original cells, one per header column
    data: VolunteerInput | None = None
    registered_on: date | None = None
    existing_id: int | None = None
    checked: dict | None = field(default=None, repr=False)  # the registration service's normalised values

    @property
    def id(self) -> int:  # for the GUI's row model
        return self.row_number

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons)


@dataclass
class ImportPreview:
    file_name: str
    sheet: str
    header_row: int
    headers: list[str]  # the sheet's own header texts, in column order
    fields: dict[str, int]  # recognised field -> column index (0-based)
    rows: list[RowVerdict]
    id_column: int | None = None

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.rows if r.verdict == verdict)

    @property
    def new_rows(self) -> list[RowVerdict]:
        return [r for r in self.rows if r.verdict == Verdict.NEW]

    @property
    def error_rows(self) -> list[RowVerdict]:
        return [r for r in self.rows if r.verdict == Verdict.ERROR]

    def summary(self) -> str:
        return _("新增 {n} 行，已有 {e} 行，错误 {x} 行").format(
            n=self.count(Verdict.NEW), e=self.count(Verdict.EXISTING), x=self.count(Verdict.ERROR)
        ) + (_("，跳过 {s} 行").format(s=self.count(Verdict.SKIPPED)) if self.count(Verdict.SKIPPED) else "")


@dataclass(frozen=True)
class ImportResult:
    imported: int
    registered: int  # of those, approved at once (已注册)
    volunteer_ids: list[int]


class ImportCancelled(StationError):
    def __init__(self) -> None:
        super().__init__(_("已取消，没有导入任何一行。"))


# --- reading cells ---------------------------------------------------------------------------------
def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates as 2026-03-05, full-width folded, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return _nfkc(value)


def _lost_digits(shown: str) -> str:
    return _(
        "身份证号“{v}”被 Excel 当成了数字，只保留了 15 位有效数字，后几位已经丢失，无法还原。"
        "请把身份证号这一列设为“文本”格式（选中该列→右键→设置单元格格式→文本），"
        "再照身份证重新填写这一格（或在号码前加英文单引号 '）。"
    ).format(v=shown)


def excel_number_text(value: float) -> str:
    """A long number as Excel shows it: 15 significant digits, 4.42000198601011E+17."""
    return f"{value:.14E}"


_SCIENTIFIC = re.compile(r"[0-9]+(\.[0-9]+)?e[+]?[0-9]+", re.IGNORECASE)


def id_number_text(value: Any) -> tuple[str, str | None]:
    """The ID number a cell holds, or an error when Excel has already lost its digits.

    An ``int`` cell is exact (some programs write 18-digit integers); a ``float`` of more than 15
    digits, or text in scientific notation, is what Excel leaves of a number typed into a General
    column: its last digits are gone, so the row is refused with how to fix the column.
    """
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), None
        return "", _lost_digits(excel_number_text(value))
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, (datetime, date)):
        return "", _("身份证号这一格被 Excel 识别成了日期，请把这一列设为“文本”格式后重新填写。")
    text = _nfkc(value).lstrip("'‘’").strip()
    if _SCIENTIFIC.fullmatch(text.replace(" ", "")):
        return "", _lost_digits(text)
    return text, None


def date_value(value: Any, label: str) -> date | None:
    """A date from a cell: a real date, an Excel serial number, or text (2026-3-5, 2026/03/05,
    2026年3月5日, 20260305). Empty gives None; anything else raises ValidationError naming ``label``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            return parse_date(str(int(value)), label=label)
        return _serial(float(value), label)
    text = _nfkc(value)
    if not text:
        return None
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)  # "2026-03-05 00:00:00"
    if re.fullmatch(r"[0-9]{1,5}(\.[0-9]+)?", text):
        return _serial(float(text), label)
    return parse_date(text, label=label)


def _serial(number: float, label: str) -> date:
    if not 1 <= number < 73051:  # 1900-01-01 .. 2099-12-31
        raise ValidationError(_("{label}“{v}”不是日期，请按 2024-01-31 的格式填写。").format(label=label, v=number))
    return from_excel(number).date()


def _flag(value: Any, label: str) -> bool:
    text = _cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(_("{label}应填“是”或“否”，现在是“{v}”。").format(label=label, v=text))


def _political(value: Any) -> str:
    text = _cell_text(value)
    code = POLITICAL_ALIASES.get(text) or POLITICAL_ALIASES.get(text.replace("中国", "中共"))
    if code is None:
        raise ValidationError(
            _("政治面貌“{v}”无法识别，请填写：{choices}。").format(v=text, choices="、".join(POLITICAL_STATUSES.values()))
        )
    return code


def _gender(value: Any) -> str | None:
    text = _cell_text(value).lower()
    if not text:
        return None
    for gender, words in (("男", ("男", "男性", "m", "male")), ("女", ("女", "女性", "f", "female"))):
        if text in words:
            return gender
    raise ValidationError(_("性别只能是“男”或“女”，现在是“{v}”。").format(v=text))


_ADDRESS = re.compile(
    r"^(?:(?P<building>[0-9A-Za-z]+)(?:栋|幢|座|号楼|楼))?-?(?:(?P<unit>[0-9A-Za-z]+)单元)?-?(?P<room>[0-9A-Za-z]+)(?:室|房|号)?$"
)


def split_address(text: str) -> tuple[str, str, str] | None:
    """"3栋2单元501" → ("3栋", "2单元", "501"); None when the address has another shape."""
    match = _ADDRESS.fullmatch(re.sub(r"\s+", "", text))
    if not match or not match.group("building"):
        return None
    return (match.group("building") + "栋", (match.group("unit") + "单元") if match.group("unit") else "",
            match.group("room"))


# --- finding the table -----------------------------------------------------------------------------
def _merged_fill(ws) -> dict[tuple[int, int], Any]:  # noqa: ANN001 - a worksheet
    """Values for the cells hidden under a merge that spans rows: a data column's cell merged over
    several people (楼栋 over a household) applies to each of them. A merge across columns only
    (a title over the table, a note across a row) is left to its first cell."""
    fill: dict[tuple[int, int], Any] = {}
    for merged in ws.merged_cells.ranges:
        if merged.max_row == merged.min_row:
            continue
        value = ws.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row + 1, merged.max_row + 1):
            fill[(row, merged.min_col)] = value
    return fill


def _match_header(cells: Iterable[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(cells):
        name = _ALIAS_INDEX.get(_header_key(value))
        if name and name not in found:
            found[name] = col
    return found


def _find_table(wb) -> tuple[Any, int, list[Any], dict[str, int]]:  # noqa: ANN001 - a workbook
    """The first sheet with a header row naming at least 姓名 and 身份证号 (within its first rows)."""
    for ws in wb.worksheets:
        for number, cells in enumerate(ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
            fields = _match_header(cells)
            if "name" in fields and "id_number" in fields:
                return ws, number, list(cells), fields
    raise StationError(
        _("没有找到表头：表格前 {n} 行中没有同时写着“姓名”和“身份证号”的一行。"
          "请确认选的是志愿者花名册，或下载导入模板对照填写。").format(n=HEADER_SEARCH_ROWS)
    )


def _open_workbook(path: Path):  # noqa: ANN202 - a Workbook
    if not path.exists():
        raise StationError(_("找不到文件 {f}。").format(f=path))
    if path.suffix.lower() == ".xls":
        raise StationError(_("这是旧版 Excel 文件（.xls），请先在 Excel 或 WPS 中“另存为” .xlsx 格式再导入。"))
    try:
        # Not read-only: merged cells are only known to a fully loaded sheet.
        return load_workbook(path, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise StationError(
            _("无法读取 {f}：它不是 Excel 工作簿（.xlsx），或者文件已损坏、正被其他程序占用。").format(f=path.name)
        ) from exc


# --- preview ---------------------------------------------------------------------------------------
def _is_blank(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _looks_like_footer(values: list[Any]) -> bool:
    texts = [_cell_text(v) for v in values if _cell_text(v)]
    return bool(texts) and len(texts) <= 2 and texts[0].startswith(_FOOTER_WORDS)


class _RowReader:
    """Turns one row's cells into a VolunteerInput, collecting every reason it cannot be one."""

    def __init__(self, fields: dict[str, int], teams: dict[str, int], today: date) -> None:
        self.fields = fields
        self.teams = teams
        self.today = today

    def get(self, values: list[Any], name: str) -> Any:  # noqa: ANN401
        col = self.fields.get(name)
        return values[col] if col is not None and col < len(values) else None

    def read(self, values: list[Any]) -> tuple[VolunteerInput, date | None, list[str], str]:
        errors: list[str] = []
        get = self.get

        def attempt(fn: Callable[[], Any], default: Any = None) -> Any:  # noqa: ANN401
            try:
                return fn()
            except ValidationError as exc:
                errors.append(exc.message)
                return default

        name = _cell_text(get(values, "name"))
        id_text, id_error = id_number_text(get(values, "id_number"))
        if id_error:
            errors.append(id_error)
        phone = _cell_text(get(values, "phone"))
        gender = attempt(lambda: _gender(get(values, "gender")))
        birth = attempt(lambda: date_value(get(values, "birth_date"), _("出生日期")))
        political = attempt(lambda: _political(get(values, "political_status")), "masses")
        registered_on = attempt(lambda: date_value(get(values, "registered_on"), _("登记日期")))
        if registered_on is not None and registered_on > self.today:
            errors.append(_("登记日期 {d} 晚于今天，请核对。").format(d=registered_on.isoformat()))
            registered_on = None
        is_owner = attempt(lambda: _flag(get(values, "is_owner"), _("是否业主")), False)
        is_backbone = attempt(lambda: _flag(get(values, "is_backbone"), _("是否骨干")), False)
        building, unit, room = (_cell_text(get(values, f)) for f in ("building", "unit", "room"))
        notes = str(get(values, "notes") or "").strip()
        address = _cell_text(get(values, "address"))
        if address and not (building or unit or room):
            parts = split_address(address)
            if parts:
                building, unit, room = parts
            else:  # another shape (楼下商铺, 3-2-501 …): kept word for word in the notes, not guessed
                notes = "；".join(p for p in (_("住址：{a}").format(a=address), notes) if p)
        team_ids: list[int] = []
        for team in split_skills(_cell_text(get(values, "teams"))):
            if team in self.teams:
                team_ids.append(self.teams[team])
            else:
                errors.append(_("本站没有名为“{t}”的服务队：请先在“服务队管理”中新建，或改成已有的服务队名称。").format(t=team))
        data = VolunteerInput(
            name=name, id_number=id_text, phone=phone, gender=gender, birth_date=birth,
            political_status=political, is_owner=is_owner, building=building, unit=unit, room=room,
            is_backbone=is_backbone, emergency_contact=_cell_text(get(values, "emergency_contact")),
            emergency_phone=_cell_text(get(values, "emergency_phone")),
            skills=split_skills(_cell_text(get(values, "skills"))), team_ids=team_ids, notes=notes,
        )
        return data, registered_on, errors, id_text

    def field_errors(self, values: list[Any], data: VolunteerInput, first: ValidationError | None) -> list[str]:
        """Every reason the name, ID number and phone are refused (the service stops at the first one)."""
        errors: list[str] = []
        try:
            validate_name(data.name)
        except ValidationError as exc:
            errors.append(exc.message)
        raw_id = self.get(values, "id_number")
        if data.id_number:
            try:
                parse_id_number(data.id_number, today=self.today)
            except ValidationError as exc:
                if isinstance(raw_id, (int, float)) and len(data.id_number) == 18 and data.id_number.endswith("000"):
                    errors.append(_lost_digits(data.id_number))  # a number whose tail Excel turned into zeros
                else:
                    errors.append(exc.message)
        elif raw_id in (None, "") or isinstance(raw_id, str) and not raw_id.strip():
            errors.append(_("请填写身份证号。"))
        raw_phone = self.get(values, "phone")
        if not data.phone:
            errors.append(_("联系电话不能为空。"))
        else:
            try:
                validate_phone(data.phone)
            except ValidationError as exc:
                if isinstance(raw_phone, (int, float)) and not data.phone.startswith("1"):
                    errors.append(_("电话“{p}”存成了数字，开头的 0 已被 Excel 去掉：请把这一列设为“文本”格式，"
                                    "按“0760-88123456”的样子重新填写。").format(p=data.phone))
                else:
                    errors.append(exc.message)
        if first is not None and first.field not in ("name", "id_number", "phone") and first.message not in errors:
            errors.append(first.message)
        return errors


def template_sample_id() -> str:
    """The made-up ID number of the template's example row (valid, so the row shows the format)."""
    body = "44200019900101123"
    return body + ric.calc_check_digit(body + "?")  # stdnum reads the first 17 characters


def preview(
    session: Session, actor: Actor, path: str | Path, *, today: date | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> ImportPreview:
    """Read a roster and say, row by row, what importing it would do. Changes nothing."""
    require(actor, Permission.EDIT_VOLUNTEERS)
    path = Path(path)
    today = today or date.today()
    wb = _open_workbook(path)
    ws, header_row, header_cells, fields = _find_table(wb)
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in fields]
    if missing:
        raise StationError(
            _("表头中缺少“{m}”一列（第 {r} 行是表头）。请补上这一列再导入。").format(m="”“".join(missing), r=header_row)
        )
    width = max((i + 1 for i, v in enumerate(header_cells) if v not in (None, "")), default=0)
    headers = [_cell_text(v) or get_column_letter(i + 1) for i, v in enumerate(header_cells[:width])]
    fill = _merged_fill(ws)
    teams = {name.strip(): tid for tid, name in session.execute(
        select(Team.id, Team.name).where(Team.station_id == actor.station_id))}
    reader = _RowReader(fields, teams, today)
    sample_id = template_sample_id()
    total = max(ws.max_row - header_row, 0)
    verdicts: list[RowVerdict] = []
    seen: dict[str, int] = {}  # ID number -> the first row holding it
    for offset, cells in enumerate(ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)):
        row_number = header_row + 1 + offset
        values = list(cells) + [None] * (width - len(cells))
        for col in range(width):
            if values[col] is None and (row_number, col + 1) in fill:
                values[col] = fill[(row_number, col + 1)]
        if progress is not None and offset % 200 == 0:
            progress(offset, total)
        if cancelled is not None and offset % 200 == 0 and cancelled():
            raise ImportCancelled()
        name_cell, id_cell = reader.get(values, "name"), reader.get(values, "id_number")
        if _is_blank(values) or (_is_blank([name_cell, id_cell]) and _looks_like_footer(values)):
            continue
        data, registered_on, errors, id_text = reader.read(values)
        number = normalize_id_number(id_text)
        if len(number) >= 15:
            display = mask_id_number(number)
        else:
            display = number or (excel_number_text(id_cell) if isinstance(id_cell, float) else _cell_text(id_cell))
        verdict = RowVerdict(row_number, data.name, display, Verdict.ERROR, errors, values)
        if number == sample_id:
            verdict.verdict, verdict.reasons = Verdict.SKIPPED, [_("模板中的示例行，不导入。")]
        else:
            try:  # the registration form's own checks: one pass for a good row
                verdict.checked = validated_volunteer(data, today)
                failure = None
            except ValidationError as exc:
                failure = exc
            if failure is not None or errors:  # say everything that is wrong, not just the first thing
                errors[len(errors):] = [e for e in reader.field_errors(values, data, failure) if e not in errors]
        if verdict.verdict != Verdict.SKIPPED and not errors:
            if number in seen:
                errors.append(_("与第 {r} 行的身份证号相同：同一个人填了两次？请删去重复的一行。").format(r=seen[number]))
            else:
                seen[number] = row_number
                verdict.verdict, verdict.data, verdict.registered_on = Verdict.NEW, data, registered_on
        verdicts.append(verdict)
    _mark_existing(session, actor, verdicts)
    if progress is not None:
        progress(total, total)
    return ImportPreview(path.name, ws.title, header_row, headers, fields, verdicts, fields.get("id_number"))


def _mark_existing(session: Session, actor: Actor, verdicts: list[RowVerdict]) -> None:
    """Rows whose ID number is on file become 已有, with what differs from the record listed."""
    candidates = {r.checked["id_number"]: r for r in verdicts if r.data is not None and r.checked is not None}
    numbers = list(candidates)
    reveal = actor.can(Permission.REVEAL_PERSONAL)
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        for volunteer in session.scalars(select(Volunteer).where(Volunteer.id_number.in_(chunk))):
            row = candidates[volunteer.id_number]
            row.verdict, row.existing_id = Verdict.EXISTING, volunteer.id
            if volunteer.station_id != actor.station_id:
                # Another station's record (a city-wide database) is not shown here, only that it exists.
                row.reasons = [_("此人已在其他站点登记为志愿者：请由原站点导出转移包后在本站导入，不要重复登记。")]
            else:
                row.reasons = _differences(volunteer, row.checked, reveal)
                row.reasons.insert(0, _("库中已有：{name}（{no}，{status}）").format(
                    name=volunteer.name, no=volunteer.volunteer_no or _("尚无编号"),
                    status=Status(volunteer.status).label))


def _differences(volunteer: Volunteer, values: dict, reveal: bool) -> list[str]:
    shown = {
        "phone": (lambda v: v) if reveal else (lambda v: mask_phone(v) if v else v),
        "political_status": lambda v: POLITICAL_STATUSES.get(v, v),
        "skills": lambda v: "、".join(v),
    }
    out = []
    for key, label in (("name", _("姓名")), ("phone", _("电话")), ("political_status", _("政治面貌")),
                       ("building", _("楼栋")), ("unit", _("单元")), ("room", _("房号")), ("skills", _("技能"))):
        ours = [s.name for s in volunteer.skills] if key == "skills" else getattr(volunteer, key)
        theirs = values[key]
        if key == "skills":
            ours, theirs = sorted(ours), sorted(theirs)
            if not theirs:
                continue  # an empty cell says nothing
        elif theirs in ("", None) and key != "political_status":
            continue
        if ours != theirs:
            fmt = shown.get(key, lambda v: v)
            out.append(_("{label}：库中“{a}”，表中“{b}”").format(label=label, a=fmt(ours) or "—", b=fmt(theirs) or "—"))
    if not out:
        out.append(_("资料与库中一致"))
    return out


# --- import ----------------------------------------------------------------------------------------
def import_rows(
    session: Session, actor: Actor, preview: ImportPreview, *, approve: bool | None = None,
    today: date | None = None, progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> ImportResult:
    """Import the preview's 新增 rows through the registration service, in the caller's unit of work.

    ``approve`` (default: whether the actor may review) registers them at once (已注册, numbered in
    sheet order); otherwise they wait as 申请中. Raises on the first row that fails now (someone
    registered the same person since the preview, say): the caller rolls back, nothing is imported.
    """
    require(actor, Permission.EDIT_VOLUNTEERS)
    if approve is None:
        approve = actor.can(Permission.REVIEW_VOLUNTEERS)
    if approve:
        require(actor, Permission.REVIEW_VOLUNTEERS)
    rows = preview.new_rows
    if not rows:
        raise StationError(_("没有可以导入的行（新增 0 行）。"))
    today = today or date.today()
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0)

    def after_chunk(done: int) -> None:
        if progress is not None:
            progress(done, len(rows))
        if delay:
            time.sleep(delay)
        if cancelled is not None and cancelled():
            raise ImportCancelled()

    batch = []
    for row in rows:
        assert row.data is not None
        batch.append(BatchRow(_("第 {r} 行（{n}）").format(r=row.row_number, n=row.name), row.data, row.registered_on))
    try:
        # A few statements per chunk (the test hook's delay: one row a chunk, so a kill lands mid-write).
        ids = register_many(session, actor, batch, approve=approve, reason=_("从Excel花名册导入"), today=today,
                            chunk_size=1 if delay else 500, after_chunk=after_chunk)
    except ValidationError as exc:
        raise StationError(exc.message + "\n" + _("没有导入任何一行；请重新预览后再导入。")) from exc
    audit.record(
        session, actor, "import_roster", "station", actor.station_id,
        summary=_("从Excel导入花名册 {f}：新增 {n} 名（{s}）").format(
            f=preview.file_name, n=len(ids), s=Status.REGISTERED.label if approve else Status.APPLYING.label),
        changes={"imported": [None, len(ids)], "errors": [None, preview.count(Verdict.ERROR)]},
    )
    return ImportResult(len(ids), len(ids) if approve else 0, ids)


# --- writing the error sheet and the template ------------------------------------------------------
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
_RED = Font(color="B00020")
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"


def _save(wb: Workbook, path: Path) -> Path:
    try:
        wb.save(path)
    except OSError as exc:
        raise StationError(_("无法写入文件 {f}：{e}").format(f=path, e=exc.strerror or exc)) from exc
    return path


def _xlsx_path(path: str | Path) -> Path:
    path = Path(path)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def _header_widths(ws, headers: list[str], widths: dict[int, float] | None = None) -> None:  # noqa: ANN001
    for col, title in enumerate(headers, start=1):
        cell = ws.cell(1, col)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        width = (widths or {}).get(col - 1) or max(8, len(title) * 2 + 2)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def write_error_sheet(preview: ImportPreview, path: str | Path) -> Path:
    """The failed rows with the sheet's own columns and a 错误原因 column: fix them and import this file."""
    path = _xlsx_path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = _("错误行")
    headers = [*preview.headers, ERROR_COLUMN]
    ws.append(headers)
    text_columns = {preview.fields[f] for f in ("id_number", "phone", "emergency_phone") if f in preview.fields}
    date_columns = {preview.fields[f] for f in ("birth_date", "registered_on") if f in preview.fields}
    for row in preview.error_rows:
        values = []
        for col, value in enumerate(row.values[: len(preview.headers)]):
            if col in text_columns and value is not None:
                value = _cell_text(value) if not isinstance(value, float) or abs(value) < 1e15 else excel_number_text(value)
            values.append(value)
        ws.append([*values, row.reason_text])
        r = ws.max_row
        for col in text_columns:
            ws.cell(r, col + 1).number_format = TEXT_FORMAT
        for col in date_columns:
            if isinstance(ws.cell(r, col + 1).value, (date, datetime)):
                ws.cell(r, col + 1).number_format = DATE_FORMAT
        reason = ws.cell(r, len(headers))
        reason.font, reason.alignment = _RED, Alignment(wrap_text=True, vertical="top")
    widths = {c: 22 for c in text_columns} | {len(headers) - 1: 60}
    _header_widths(ws, headers, widths)
    return _save(wb, path)


TEMPLATE_COLUMNS = (
    ("name", 10), ("id_number", 22), ("phone", 16), ("gender", 6), ("birth_date", 12), ("political_status", 14),
    ("building", 8), ("unit", 8), ("room", 8), ("skills", 20), ("teams", 16), ("registered_on", 12),
    ("is_owner", 9), ("is_backbone", 9), ("emergency_contact", 12), ("emergency_phone", 16), ("notes", 28),
)
TEMPLATE_ROWS = 1000  # rows prepared with text format and drop-down lists


def write_template(path: str | Path) -> Path:
    """The import template: the header, an example row (skipped on import), text-formatted ID and
    phone columns, drop-down lists for 性别, 政治面貌 and the yes/no columns, and a 填写说明 sheet."""
    path = _xlsx_path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = _("志愿者花名册")
    keys = [k for k, _w in TEMPLATE_COLUMNS]
    headers = [FIELD_LABELS[k] + ("*" if k in REQUIRED_FIELDS else "") for k in keys]
    ws.append(headers)
    sample = {
        "name": "张三", "id_number": template_sample_id(), "phone": "13800138000", "gender": "男",
        "birth_date": date(1990, 1, 1), "political_status": POLITICAL_STATUSES["party_member"], "building": "3",
        "unit": "2", "room": "501", "skills": "家电维修、急救", "teams": "", "registered_on": date(2026, 3, 5),
        "is_owner": "是", "is_backbone": "否", "emergency_contact": "", "emergency_phone": "",
        "notes": _("示例行（导入时自动跳过），可删除"),
    }
    ws.append([sample[k] for k in keys])
    grey = Font(color="888888", italic=True)
    for col in range(1, len(keys) + 1):
        ws.cell(2, col).font = grey
    for key in ("id_number", "phone", "emergency_phone"):
        letter = get_column_letter(keys.index(key) + 1)
        for row in range(2, TEMPLATE_ROWS + 2):
            ws[f"{letter}{row}"].number_format = TEXT_FORMAT
    for key in ("birth_date", "registered_on"):
        letter = get_column_letter(keys.index(key) + 1)
        for row in range(2, TEMPLATE_ROWS + 2):
            ws[f"{letter}{row}"].number_format = DATE_FORMAT
    lists = {
        "gender": "男,女",
        "political_status": ",".join(POLITICAL_STATUSES.values()),
        "is_owner": "是,否",
        "is_backbone": "是,否",
    }
    for key, choices in lists.items():
        letter = get_column_letter(keys.index(key) + 1)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                                    errorTitle=_("请从列表中选择"), error=_("请从下拉列表中选择：") + choices.replace(",", "、"))
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    _header_widths(ws, headers, {i: w for i, (_k, w) in enumerate(TEMPLATE_COLUMNS)})

    notes = wb.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    notes.append([_("志愿者花名册导入模板 — 填写说明")])
    notes.cell(1, 1).font = Font(bold=True, size=14)
    notes.append([])
    for label, text in (
        (_("必填"), _("带 * 的列必须填写：姓名、身份证号、手机号。其余各列可以空着。")),
        (_("身份证号"), _("18 位，最后一位可以是 X。本列已设为“文本”格式，请不要改回“常规”或“数值”："
                        "否则 Excel 只保留 15 位，后几位会变成 0，无法还原。从别的表格粘贴时请用“选择性粘贴→数值”。")),
        (_("性别、出生日期"), _("可以不填，程序从身份证号读出；填了则须与身份证号一致。")),
        (_("日期"), _("写成 2026-03-05、2026/3/5、2026年3月5日 或 20260305 都可以。")),
        (_("手机号"), _("11 位手机号，或带区号的座机号，如 0760-88123456。")),
        (_("政治面貌"), _("从下拉列表中选择：") + "、".join(POLITICAL_STATUSES.values()) + _("；不填按“群众”。")),
        (_("技能"), _("多个技能用顿号或逗号隔开，如“家电维修、急救”。")),
        (_("服务队"), _("须是本站已有的服务队名称（在“服务队管理”中新建），多个用顿号隔开。")),
        (_("登记日期"), _("站长导入时，导入的志愿者直接成为“已注册”，登记日期即注册日期；不填为导入当天。"
                        "录入员导入的为“申请中”，由站长审核。")),
        (_("示例行"), _("第 2 行是示例，导入时自动跳过，可以删除。")),
        (_("导入结果"), _("导入前会逐行显示“新增 / 已有 / 错误”。有错误的行可以“保存错误行”，"
                        "按“错误原因”一列改好后再导入那个文件；已导入的不会重复导入。")),
    ):
        notes.append([label, text])
        notes.cell(notes.max_row, 1).font = _BOLD
        notes.cell(notes.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    return _save(wb, path)
