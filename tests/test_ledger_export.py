"""Ledger views exported: Excel cells typed as dates and numbers, PDFs that render and say what the screen says."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from station_app.db import Database
from station_app.models import Team, TeamMember, Volunteer
from station_app.reports.ledger_pdf import ledger_pdf
from station_app.services import chain, ledger_views
from station_app.services.auth import Actor
from station_app.services.ledger_export import export_xlsx, month_document

from .conftest import ADMIN_PASSWORD
from .ledger_factory import add_record
from .schedule_factory import make_training, make_volunteer
from .test_ledger_views import Y, award_and_honour, history


@pytest.fixture
def volunteer(sqlite_db: Database, sqlite_admin: Actor) -> int:
    vid = make_volunteer(sqlite_db, sqlite_admin, "李志愿")
    with sqlite_db.session() as session:
        session.get(Volunteer, vid).political_status = "party_member"
    return vid


@pytest.fixture
def sqlite_admin(sqlite_db: Database) -> Actor:
    from .conftest import setup_station

    return setup_station(sqlite_db)


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(str(path)).pages)


def render(path: Path, out_dir: Path = Path("/tmp/shots")) -> list[Path]:
    """The PDF's pages as PNGs (what a person would print), for looking at."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / f"ledger_pdf_{path.stem}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(prefix)], check=True)
    pages = sorted(out_dir.glob(f"{prefix.name}*.png"))
    assert pages and all(p.stat().st_size > 5000 for p in pages)
    return pages


def test_volunteer_ledger_to_excel_has_typed_cells(sqlite_db: Database, sqlite_admin: Actor, volunteer: int,
                                                   viewer_on_sqlite: Actor, tmp_path: Path):
    history(sqlite_db, sqlite_admin, volunteer)
    award_and_honour(sqlite_db, sqlite_admin, volunteer)
    with sqlite_db.session(write=False) as session:
        view = ledger_views.volunteer_ledger(session, viewer_on_sqlite, volunteer)
        full_id = session.get(Volunteer, volunteer).id_number
    path = export_xlsx(view, tmp_path / "个人台账.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["服务记录", "按年度合计", "按服务类别合计"]
    ws = wb["服务记录"]
    assert "志愿服务记录台账" in ws["A1"].value and ws.freeze_panes == "A4"
    assert [c.value for c in ws[3]][:6] == ["日期", "时间", "服务内容", "类别", "地点", "时长（小时）"]
    first = ws[4]
    assert first[0].is_date and first[0].number_format == "yyyy-mm-dd" and first[0].value.date() == date(Y - 1, 3, 1)
    assert first[5].data_type == "n" and first[5].value == 2 and first[5].number_format == "0.00"
    assert ws[5][2].value.strip().startswith("└ 原登记 3 小时")  # the correction's history under its record
    assert "签退时间记错" in ws[6][2].value and ws[6][5].value == 2
    totals = [row for row in ws.iter_rows(min_row=4) if row[0].value == "合计（已计入）"]
    assert totals and totals[0][5].value == pytest.approx(12.5) and totals[0][5].data_type == "n"
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width
    facts = ws["A2"].value
    assert full_id not in facts and full_id[-4:] in facts  # masked for a viewer
    years = wb["按年度合计"]
    assert [(r[0].value, r[1].value) for r in years.iter_rows(min_row=4)] == [(Y - 1, 2), (Y, 10.5), ("合计", 12.5)]
    assert wb["嘉许"]["C4"].value == "SQ0101-JX-0001" and wb["嘉许"]["B4"].is_date


def test_the_export_masks_the_id_number_even_for_the_admin(sqlite_db: Database, sqlite_admin: Actor, volunteer: int,
                                                             tmp_path: Path):
    with sqlite_db.session(write=False) as session:
        view = ledger_views.volunteer_ledger(session, sqlite_admin, volunteer)
        full_id = session.get(Volunteer, volunteer).id_number
    ws = load_workbook(export_xlsx(view, tmp_path / "a.xlsx"))["服务记录"]
    assert full_id not in ws["A2"].value and full_id[-4:] in ws["A2"].value
    assert ws["A4"].value == "（无）"  # no records yet: said, not left blank


def test_volunteer_pdf_renders_with_names_and_corrections(sqlite_db: Database, sqlite_admin: Actor, volunteer: int,
                                                          tmp_path: Path):
    history(sqlite_db, sqlite_admin, volunteer)
    award_and_honour(sqlite_db, sqlite_admin, volunteer)
    make_training(sqlite_db, sqlite_admin, [volunteer], topic="急救知识培训", hours=3)
    with sqlite_db.session(write=False) as session:
        view = ledger_views.volunteer_ledger(session, sqlite_admin, volunteer)
    path = ledger_pdf(view, tmp_path / "volunteer.pdf")
    text = pdf_text(path)
    for expected in ("志愿服务记录台账（个人）", "李志愿", "探访独居老人", "签退时间记错", "待审批", "未批准",
                     "急救知识培训", "年度优秀志愿者", "SQ0101-XJ-0001", "第 1 页 共"):
        assert expected in text, expected
    render(path)


def test_monthly_pdf_prints_the_signed_checkpoint_at_its_foot(sqlite_db: Database, sqlite_admin: Actor,
                                                              volunteer: int, tmp_path: Path):
    for day in range(1, 29):  # enough lines for a second page
        add_record(sqlite_db, sqlite_admin, volunteer, 60 + day % 4 * 15, on=date(Y, 11, day),
                   content=f"楼道清洁第 {day} 次")
    with sqlite_db.session() as session:
        key = chain.unlock_signing_key(session, sqlite_admin, ADMIN_PASSWORD)
        signed = chain.make_checkpoint(session, sqlite_admin, key, date(Y, 11, 30))
    with sqlite_db.session(write=False) as session:
        view = ledger_views.month_ledger(session, sqlite_admin, Y, 11)
    path = ledger_pdf(view, tmp_path / "month.pdf")
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    assert "台账检查点" in last and str(signed.count) in last
    assert chain.grouped(signed.head_hash)[:19] in last.replace("\n", " ")
    assert view.fingerprint.split()[0] in last and "station-app verify" in last
    assert "台账检查点" not in reader.pages[0].extract_text()
    assert "（续）" in reader.pages[1].extract_text()  # the title again on every later page
    render(path)
    # The paper's short form verifies against the database.
    with sqlite_db.session(write=False) as session:
        typed = chain.parse_checkpoint(f"{signed.count} {chain.grouped(signed.head_hash)}")
        assert chain.verify_chain(session, sqlite_admin.station_id, [typed]).ok


def test_month_without_a_checkpoint_says_to_sign_one(sqlite_db: Database, sqlite_admin: Actor):
    with sqlite_db.session(write=False) as session:
        doc = month_document(ledger_views.month_ledger(session, sqlite_admin, Y, 1))
    assert "尚未签署台账检查点" in doc.notes[0]


def test_team_and_party_exports(sqlite_db: Database, sqlite_admin: Actor, volunteer: int, tmp_path: Path):
    history(sqlite_db, sqlite_admin, volunteer)
    with sqlite_db.session() as session:
        team = Team(station_id=sqlite_admin.station_id, name="银龄服务队")
        session.add(team)
        session.flush()
        team_id = team.id
        session.add(TeamMember(team_id=team_id, volunteer_id=volunteer))
    with sqlite_db.session(write=False) as session:
        team_view = ledger_views.team_ledger(session, sqlite_admin, team_id, date(Y, 1, 1), date(Y, 12, 31))
        party_view = ledger_views.party_ledger(session, sqlite_admin, Y)
    ws = load_workbook(export_xlsx(team_view, tmp_path / "team.xlsx"))["成员服务时长"]
    assert ws["A4"].value == "李志愿" and ws["D4"].value == 10.5 and ws["C4"].data_type == "n"
    party = load_workbook(export_xlsx(party_view, tmp_path / "party.xlsx"))
    assert party.sheetnames == ["中共党员（含预备党员）", "共青团员"]
    assert party["中共党员（含预备党员）"]["F4"].value == 10.5
    text = pdf_text(ledger_pdf(party_view, tmp_path / "party.pdf"))
    assert "党团服务平台" in text and "李志愿" in text
    render(ledger_pdf(team_view, tmp_path / "team.pdf"))


def test_an_unwritable_file_is_a_clear_error(sqlite_db: Database, sqlite_admin: Actor, volunteer: int,
                                             tmp_path: Path):
    from station_app.errors import StationError

    with sqlite_db.session(write=False) as session:
        view = ledger_views.volunteer_ledger(session, sqlite_admin, volunteer)
    with pytest.raises(StationError, match="无法写入文件"):
        export_xlsx(view, tmp_path / "missing-folder" / "a.xlsx")


@pytest.fixture
def viewer_on_sqlite(sqlite_db: Database, sqlite_admin: Actor) -> Actor:
    from station_app.services.auth import Role

    from .conftest import add_user

    return add_user(sqlite_db, sqlite_admin, "viewer", Role.VIEWER)


def test_activity_and_project_exports(sqlite_db: Database, sqlite_admin: Actor, volunteer: int, tmp_path: Path):
    from station_app.models import Activity, Project

    from .schedule_factory import make_activity

    activity, _shifts = make_activity(sqlite_db, sqlite_admin, title="重阳敬老探访", day=date(Y, 10, 11))
    with sqlite_db.session() as session:
        project = Project(station_id=sqlite_admin.station_id, name="银龄关爱", category="help", starts_on=date(Y, 1, 1),
                          ends_on=date(Y, 12, 31), lead_social_worker="林社工", created_by_id=sqlite_admin.user_id)
        session.add(project)
        session.flush()
        project_id = project.id
        session.get(Activity, activity).project_id = project_id
    add_record(sqlite_db, sqlite_admin, volunteer, 150, on=date(Y, 10, 11), activity_id=activity)
    with sqlite_db.session(write=False) as session:
        act = ledger_views.activity_ledger(session, sqlite_admin, activity)
        proj = ledger_views.project_ledger(session, sqlite_admin, project_id)
    ws = load_workbook(export_xlsx(act, tmp_path / "activity.xlsx"))["服务记录"]
    assert ws["A4"].value == "李志愿" and ws["C4"].is_date and ws["H4"].value == 2.5
    wb = load_workbook(export_xlsx(proj, tmp_path / "project.xlsx"))
    assert wb.sheetnames == ["活动", "服务记录"] and wb["活动"]["E4"].value == 2.5
    text = pdf_text(ledger_pdf(proj, tmp_path / "project.pdf"))
    assert "银龄关爱" in text and "重阳敬老探访" in text and "李志愿" in text
