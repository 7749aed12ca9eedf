"""Importing a roster from the Excel sheets stations really keep, and the Excel exports."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from station_app.db import open_database
from station_app.errors import StationError
from station_app.models import AuditEntry, Volunteer
from station_app.services import excel_export
from station_app.services import roster_import as ri
from station_app.services.validation import parse_id_number
from station_app.services.volunteers import Status, VolunteerInput, register_volunteer

from . import roster_sheets as sheets
from .conftest import setup_station
from .idnumbers import make_id

TODAY = date.today()


def _preview(db, actor, path):
    with db.session(write=False) as session:
        return ri.preview(session, actor, path)


def _by_row(preview):
    return {r.row_number: r for r in preview.rows}


def _volunteer(db, id_number):
    with db.session(write=False) as session:
        v = session.scalar(select(Volunteer).where(Volunteer.id_number == id_number))
        return None if v is None else {
            "name": v.name, "phone": v.phone, "building": v.building, "room": v.room, "status": v.status,
            "registered_on": v.registered_on, "no": v.volunteer_no, "political": v.political_status,
            "skills": sorted(s.name for s in v.skills), "notes": v.notes, "gender": v.gender,
        }


def _count(db) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(Volunteer))


@pytest.fixture
def messy(tmp_path, db, admin):
    with db.session() as session:
        register_volunteer(session, admin, VolunteerInput(name="蒋老伯", id_number=sheets.EXISTING, phone="13900000001"))
    return sheets.messy_roster(tmp_path / "花名册.xlsx")


def test_each_problem_gets_its_verdict(db, admin, messy):
    preview = _preview(db, admin, messy)
    rows = _by_row(preview)
    assert preview.header_row == 3 and preview.sheet == "花名册"
    # Blank row 15 and the footer 22 are not rows of the roster; the titles above the header neither.
    assert sorted(rows) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21]
    new = {n for n, r in rows.items() if r.verdict == ri.Verdict.NEW}
    assert new == {4, 7, 8, 9, 10, 11, 12, 13, 14, 16}
    # The number and the scientific notation: Excel lost the digits; the fix is named, nothing guessed.
    for n in (5, 6):
        assert rows[n].verdict == ri.Verdict.ERROR
        assert "丢失" in rows[n].reason_text and "文本" in rows[n].reason_text
        assert rows[n].data is None
    assert "4.4200019960308E+17" in rows[6].reason_text
    assert rows[17].verdict == ri.Verdict.ERROR and "第 16 行" in rows[17].reason_text
    assert rows[18].verdict == ri.Verdict.ERROR and "开头的 0" in rows[18].reason_text
    assert rows[19].verdict == ri.Verdict.ERROR and "性别" in rows[19].reason_text
    # Two problems in one row: both are said.
    assert rows[20].verdict == ri.Verdict.ERROR
    assert "15位" in rows[20].reason_text and "政治面貌“无党派”" in rows[20].reason_text
    existing = rows[21]
    assert existing.verdict == ri.Verdict.EXISTING
    assert "电话：库中“13900000001”，表中“13900000000”" in existing.reason_text
    assert "楼栋" in existing.reason_text
    # Masked on screen.
    assert rows[4].id_display == sheets.GOOD[:6] + "********" + sheets.GOOD[-4:]
    assert preview.summary() == "新增 10 行，已有 1 行，错误 6 行"


def test_good_rows_are_imported_with_clean_values(db, admin, messy):
    preview = _preview(db, admin, messy)
    before = _count(db)
    with db.session() as session:
        result = ri.import_rows(session, admin, preview)
    assert result.imported == 10 == result.registered
    assert _count(db) == before + 10
    good = _volunteer(db, sheets.GOOD)
    assert good["name"] == "张三" and good["political"] == "party_member"
    assert good["skills"] == ["家电维修", "急救"] and good["notes"] == "老住户"
    assert good["status"] == Status.REGISTERED and good["registered_on"] == date(2026, 3, 5)
    wide = _volunteer(db, sheets.WIDE)  # full-width digits folded
    assert wide["phone"] == "13812345604" and wide["gender"] == "女" and wide["political"] == "league_member"
    spaced = _volunteer(db, sheets.SPACED)
    assert spaced["name"] == "钱七" and spaced["phone"] == "13812345605"
    assert _volunteer(db, sheets.LOWER_X)["phone"] == "13812345606"  # stored with a capital X, phone from a number
    assert _volunteer(db, sheets.LOWER_X.lower()) is None
    # 楼栋 merged over three people applies to each of them.
    assert [_volunteer(db, i)["building"] for i in (sheets.MERGED_A, sheets.MERGED_B, sheets.MERGED_C)] == ["5栋"] * 3
    assert _volunteer(db, sheets.MERGED_B)["room"] == "402"
    # Every form of date: text three ways, 20260305, a serial number and a real date cell.
    for id_number in (sheets.WIDE, sheets.SPACED, sheets.LOWER_X, sheets.SERIAL, sheets.REAL_DATE):
        assert _volunteer(db, id_number)["registered_on"] == date(2026, 3, 5), id_number
    # Numbered in the sheet's order, as a review would number them.
    numbers = [_volunteer(db, i)["no"] for i in (sheets.GOOD, sheets.WIDE, sheets.SPACED, sheets.LOWER_X)]
    assert numbers == sorted(numbers) and all(n.startswith("SQ0101-") for n in numbers)
    # The duplicate's first row is imported once; the one on file is untouched.
    assert _volunteer(db, sheets.DUPLICATE) is not None
    assert _volunteer(db, sheets.EXISTING)["phone"] == "13900000001"
    with db.session(write=False) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "volunteer")))
        summary = session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "import_roster"))
    # The registration form's own audit entries, one per person, and one for the import.
    assert actions.count("create") == 11 and actions.count("review") == 10
    assert "花名册.xlsx" in summary and "新增 10 名" in summary
    # Importing the same sheet again adds nobody: they are all 已有 now.
    again = _preview(db, admin, messy)
    assert again.count(ri.Verdict.NEW) == 0 and again.count(ri.Verdict.EXISTING) == 11


def test_clerk_import_waits_for_review(db, admin, clerk, tmp_path):
    path = sheets.simple_roster(tmp_path / "r.xlsx", 3)
    preview = _preview(db, clerk, path)
    with db.session() as session:
        result = ri.import_rows(session, clerk, preview)
    assert result.imported == 3 and result.registered == 0
    with db.session(write=False) as session:
        statuses = set(session.scalars(select(Volunteer.status)))
        numbers = set(session.scalars(select(Volunteer.volunteer_no)))
    assert statuses == {Status.APPLYING.value} and numbers == {None}
    with db.session() as session, pytest.raises(StationError, match="审核志愿者"):
        ri.import_rows(session, clerk, preview, approve=True)


def test_viewer_may_not_import(db, viewer, tmp_path):
    path = sheets.simple_roster(tmp_path / "r.xlsx", 2)
    with db.session(write=False) as session, pytest.raises(StationError, match="登记和修改志愿者"):
        ri.preview(session, viewer, path)


def test_one_transaction_nothing_when_a_row_fails(db, admin, tmp_path):
    path = sheets.simple_roster(tmp_path / "r.xlsx", 20)
    preview = _preview(db, admin, path)
    assert preview.count(ri.Verdict.NEW) == 20
    # Someone registers the 15th person between the preview and the import.
    late = preview.rows[14]
    with db.session() as session:
        register_volunteer(session, admin, late.data)
    with pytest.raises(StationError) as caught, db.session() as session:
        ri.import_rows(session, admin, preview)
    assert f"第 {late.row_number} 行" in caught.value.message and "没有导入任何一行" in caught.value.message
    assert _count(db) == 1
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "review")) == 0


def test_error_sheet_round_trip(db, admin, messy, tmp_path):
    preview = _preview(db, admin, messy)
    out = ri.write_error_sheet(preview, tmp_path / "错误行")
    assert out.name == "错误行.xlsx"
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["序号", "姓 名", "公民身份号码", "联系电话"] and header[-1] == "错误原因"
    assert ws.freeze_panes == "A2"
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"李四", "王五", "冯十二", "陈十三", "褚十四", "卫十五"}
    assert "丢失" in rows["李四"][-1]
    id_col = header.index("公民身份号码") + 1
    assert all(ws.cell(r, id_col).number_format == "@" for r in range(2, ws.max_row + 1))
    assert isinstance(ws.cell(2, id_col).value, str)  # the lost number is written as text to retype
    # The user fixes the sheet: retypes the ID numbers, the landline, the gender, and drops the 15-digit row.
    fixes = {"李四": (sheets.NUMBER, None), "王五": (sheets.SCIENTIFIC, None), "陈十三": (None, "0760-88123456"),
             "褚十四": (None, None)}
    gender_col = header.index("性别") + 1
    for r in range(ws.max_row, 1, -1):
        name = ws.cell(r, 2).value
        if name == "卫十五":
            ws.delete_rows(r)
        elif name in fixes:
            id_number, phone = fixes[name]
            if id_number:
                ws.cell(r, id_col).value = id_number
            if phone:
                ws.cell(r, header.index("联系电话") + 1).value = phone
            if name == "褚十四":
                ws.cell(r, gender_col).value = "男"
    fixed = tmp_path / "改好的错误行.xlsx"
    ws.parent.save(fixed)
    with db.session() as session:
        ri.import_rows(session, admin, ri.preview(session, admin, messy))
    again = _preview(db, admin, fixed)
    verdicts = {r.name: r.verdict for r in again.rows}
    assert verdicts == {"李四": ri.Verdict.NEW, "王五": ri.Verdict.NEW, "冯十二": ri.Verdict.EXISTING,
                        "陈十三": ri.Verdict.NEW, "褚十四": ri.Verdict.NEW}
    assert "错误原因" not in again.fields  # the reasons column is not read back
    with db.session() as session:
        assert ri.import_rows(session, admin, again).imported == 4
    assert _volunteer(db, sheets.LANDLINE)["phone"] == "0760-88123456"
    assert _volunteer(db, sheets.SCIENTIFIC)["building"] == "2栋"


def test_template_reimports(db, admin, tmp_path):
    path = ri.write_template(tmp_path / "模板")
    wb = load_workbook(path)
    ws = wb["志愿者花名册"]
    assert wb.sheetnames == ["志愿者花名册", "填写说明"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["姓名*", "身份证号*", "手机号*"]
    assert ws.freeze_panes == "A2"
    assert ws["B2"].number_format == "@" and ws["B500"].number_format == "@"
    assert parse_id_number(ws["B2"].value).gender == "男"  # the example shows a real-looking, valid number
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["D2"] == '"男,女"'
    assert "中共党员" in lists["F2"] and "群众" in lists["F2"]
    assert "15 位" in " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    # As downloaded: the example row is skipped, nothing is imported.
    preview = _preview(db, admin, path)
    assert [r.verdict for r in preview.rows] == [ri.Verdict.SKIPPED]
    # Filled in by a user: their row is new, the example still skipped.
    person = make_id("442000", "19820615", "317")
    ws.append(["林小红", person, "13712345678", "", "1982年6月15日", "群众", "9", "1", "1101", "唱歌", "", "2026-01-10",
               "否", "是"])
    wb.save(path)
    preview = _preview(db, admin, path)
    assert [r.verdict for r in preview.rows] == [ri.Verdict.SKIPPED, ri.Verdict.NEW]
    with db.session() as session:
        ri.import_rows(session, admin, preview)
    person_row = _volunteer(db, person)
    assert person_row["registered_on"] == date(2026, 1, 10) and person_row["building"] == "9"


def test_files_that_are_not_rosters_are_refused(db, admin, tmp_path):
    not_xlsx = tmp_path / "名单.xlsx"
    not_xlsx.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(StationError, match="不是 Excel 工作簿"):
        _preview(db, admin, not_xlsx)
    with pytest.raises(StationError, match=r"\.xls"):
        _preview(db, admin, tmp_path / "old.xls")
    wb = Workbook()
    wb.active.append(["名称", "数量"])
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(StationError, match="没有找到表头"):
        _preview(db, admin, tmp_path / "other.xlsx")
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "住址"])
    wb.save(tmp_path / "nophone.xlsx")
    with pytest.raises(StationError, match="缺少“手机号”"):
        _preview(db, admin, tmp_path / "nophone.xlsx")


def test_cells_read_as_staff_mean_them():
    exact = make_id("442000", "19800101", "011")
    assert ri.id_number_text(int(exact)) == (exact, None)  # an exact integer (as WPS writes it) is kept
    text, error = ri.id_number_text(float(exact))
    assert text == "" and "丢失" in error
    assert ri.id_number_text("'" + exact) == (exact, None)
    for value in ("2026-3-5", "2026/03/05", "2026年3月5日", "20260305", 20260305, 46086, "46086", "2026-03-05 00:00:00"):
        assert ri.date_value(value, "登记日期") == date(2026, 3, 5), value
    with pytest.raises(StationError, match="登记日期"):
        ri.date_value("三月五号", "登记日期")
    assert ri.split_address("3栋2单元501") == ("3栋", "2单元", "501")
    assert ri.split_address("商铺A") is None


def test_address_column_and_teams(db, admin, tmp_path):
    from station_app.services.teams import list_teams

    with db.session(write=False) as session:
        team = list_teams(session, admin)[0].name
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "手机号码", "住址", "服务队"])
    a, b = make_id("442000", "19810101", "331"), make_id("442000", "19810202", "343")
    ws.append(["甲一", a, "13712340001", "3栋2单元501", team])
    ws.append(["乙二", b, "13712340002", "南门商铺", "没有这个队"])
    wb.save(tmp_path / "a.xlsx")
    rows = _by_row(_preview(db, admin, tmp_path / "a.xlsx"))
    assert rows[2].verdict == ri.Verdict.NEW
    assert (rows[2].data.building, rows[2].data.unit, rows[2].data.room) == ("3栋", "2单元", "501")
    assert rows[3].verdict == ri.Verdict.ERROR and "没有名为“没有这个队”的服务队" in rows[3].reason_text
    assert rows[3].data is None


# --- exports ---------------------------------------------------------------------------------------
def test_roster_export_is_text_masked_and_reimports_elsewhere(db, admin, viewer, messy, tmp_path):
    with db.session() as session:
        ri.import_rows(session, admin, ri.preview(session, admin, messy))
    with db.session() as session:
        path, count = excel_export.export(session, admin, "roster", tmp_path / "花名册导出")
    assert count == 11 and path.suffix == ".xlsx"
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    id_col = header.index("身份证号") + 1
    assert ws.freeze_panes == "A2" and ws.column_dimensions["E"].width >= 20
    ids = {ws.cell(r, id_col).value for r in range(2, ws.max_row + 1)}
    assert sheets.GOOD in ids and all(isinstance(i, str) for i in ids)
    assert ws.cell(2, id_col).number_format == "@"
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "export")) == 1
    # A viewer's export is masked and not audited as a reveal.
    with db.session() as session:
        masked, _n = excel_export.export(session, viewer, "roster", tmp_path / "masked.xlsx")
    masked_ids = [r[4] for r in load_workbook(masked).active.iter_rows(min_row=2, values_only=True)]
    assert all("********" in i for i in masked_ids)
    # The full export imports at another station (another database) as 11 new volunteers.
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        other_admin = setup_station(other)
        again = _preview(other, other_admin, path)
        assert again.count(ri.Verdict.NEW) == 11 and not again.error_rows
    finally:
        other.dispose()


def test_needs_and_awards_exports(sqlite_db, tmp_path):
    from station_app.services.auth import authenticate
    from station_app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo
    from station_app.services.honours import list_honours
    from station_app.services.needs import list_needs

    build_demo(sqlite_db, volunteers=40, seed=3)
    with sqlite_db.session() as session:
        actor = authenticate(session, DEMO_ADMIN, DEMO_PASSWORD)
        needs = list_needs(session, actor)
        honours = list_honours(session, actor)
    with sqlite_db.session() as session:
        needs_path, n = excel_export.export(session, actor, "needs", tmp_path / "needs.xlsx")
        awards_path, _m = excel_export.export(session, actor, "awards", tmp_path / "awards.xlsx")
    ws = load_workbook(needs_path).active
    assert n == len(needs) > 0 and ws.max_row == n + 1
    assert [c.value for c in ws[1]][:2] == ["服务对象", "需求"]
    assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == {x.recipient_name for x in needs}
    wb = load_workbook(awards_path)
    assert wb.sheetnames == ["星级认定", "嘉许"]
    assert wb["嘉许"].max_row == len(honours) + 1
    stars = list(wb["星级认定"].iter_rows(min_row=2, values_only=True))
    assert stars and all("星级志愿者" in r[2] for r in stars)
    with sqlite_db.session() as session, pytest.raises(StationError, match="不能导出"):
        excel_export.export(session, actor, "passwords", tmp_path / "x.xlsx")
