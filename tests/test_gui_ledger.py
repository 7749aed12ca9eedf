"""The 台账与打印 tab and the 校验台账 dialog driven as a person would."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select, text

from station_app.models import LedgerCheckpoint, Team, TeamMember, Volunteer
from station_app.services import chain
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.ledger import pages as pages_ui
from station_app.ui.ledger.tab import LedgerTab
from station_app.ui.ledger.verify_dialog import SignCheckpointDialog, VerifyDialog
from station_app.ui.qt import QMessageBox
from station_app.ui.rows_model import view_texts

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .ledger_factory import add_record
from .schedule_factory import make_activity, make_training, make_volunteer
from .shots import shot
from .test_ledger_views import Y, award_and_honour, history

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def volunteer(ctx) -> int:
    vid = make_volunteer(ctx.db, ctx.actor, "李志愿")
    with ctx.db.session() as session:
        session.get(Volunteer, vid).political_status = "party_member"
    return vid


@pytest.fixture
def tab(qtbot, ctx):
    widget = LedgerTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    return widget


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, message, *a: shown.append(message))
    return shown


def test_volunteer_page_shows_history_with_corrections_totals_and_exports(tab, ctx, volunteer, tmp_path, errors):
    history(ctx.db, ctx.actor, volunteer)
    award_and_honour(ctx.db, ctx.actor, volunteer)
    make_training(ctx.db, ctx.actor, [volunteer], topic="急救知识培训", hours=3)
    page = tab.volunteer
    assert not page.excel_button.isEnabled()  # nothing to export before a volunteer is chosen
    page.search.setText("李志")
    assert page.results.count() == 1
    page.results.setCurrentRow(0)
    assert page.view is not None and page.excel_button.isEnabled()
    records = view_texts(page.shown.tables[0])
    assert records[0][2] == "探访独居老人" and records[0][5] == "2" and records[0][7] == "已计入"
    assert "原登记 3 小时" in records[1][2] and "签退时间记错" in records[2][2]  # indented under the record
    assert [r[7] for r in records if r[2] in ("社区义诊", "文艺汇演")] == ["待审批", "未批准"]
    assert records[-1][0] == "合计（已计入）" and records[-1][5] == "12.5"
    side = {page.shown.side.tabText(i) for i in range(page.shown.side.count())}
    assert {"按年度合计", "按服务类别合计", "培训记录", "星级认定", "嘉许"} <= side
    assert "12.5 小时" in page.shown.facts.text()
    page.shown.side.setCurrentIndex(3)
    shot(tab, "ledger_volunteer")

    xlsx = page.export_excel(str(tmp_path / "个人.xlsx"))
    assert xlsx is not None and load_workbook(xlsx)["服务记录"]["F4"].value == 2
    pdf = page.export_pdf(str(tmp_path / "个人.pdf"))
    assert "李志愿" in PdfReader(str(pdf)).pages[0].extract_text()
    assert "已导出" in page.status.text() and errors == []


def test_export_asks_for_a_file_and_a_cancel_writes_nothing(tab, ctx, volunteer, tmp_path, monkeypatch):
    page = tab.volunteer
    page.show_volunteer(volunteer)
    monkeypatch.setattr(pages_ui.QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert page.export_excel() is None and not list(tmp_path.glob("*.xlsx"))
    target = tmp_path / "chosen"
    monkeypatch.setattr(pages_ui.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert page.export_pdf() == tmp_path / "chosen.pdf" and (tmp_path / "chosen.pdf").exists()


def test_activity_project_team_month_and_party_pages(tab, ctx, volunteer, tmp_path, errors):
    activity, _shifts = make_activity(ctx.db, ctx.actor, title="重阳敬老探访", day=date(Y, 10, 11))
    add_record(ctx.db, ctx.actor, volunteer, 150, on=date(Y, 10, 11), activity_id=activity, content="重阳敬老探访")
    with ctx.db.session() as session:
        team = Team(station_id=ctx.actor.station_id, name="银龄服务队")
        session.add(team)
        session.flush()
        session.add(TeamMember(team_id=team.id, volunteer_id=volunteer))
        team_id = team.id
    tab.show_page(tab.activity)
    assert tab.activity.show_item("activity", activity)
    assert view_texts(tab.activity.shown.tables[0])[0][0] == "李志愿"
    assert "2.5 小时" in tab.activity.shown.facts.text()
    shot(tab, "ledger_activity")

    tab.show_page(tab.team)
    tab.team.team.setCurrentIndex(tab.team.team.findData(team_id))
    tab.team.date_from.setDate(date(Y, 1, 1))
    tab.team.date_to.setDate(date(Y, 12, 31))
    assert tab.team.load()
    assert view_texts(tab.team.shown.tables[0])[0][0] == "李志愿"
    tab.team.date_from.setDate(date(Y, 12, 31))
    tab.team.date_to.setDate(date(Y, 1, 1))
    assert not tab.team.load() and "早于开始日期" in errors[-1]

    tab.show_page(tab.month)
    assert tab.month.set_month(Y, 10)
    assert view_texts(tab.month.shown.tables[0])[0][3] == "重阳敬老探访"
    assert not tab.month.shown.notes.isHidden() and "尚未签署台账检查点" in tab.month.shown.notes.text()
    with ctx.db.session() as session:
        key = chain.unlock_signing_key(session, ctx.actor, ADMIN_PASSWORD)
        signed = chain.make_checkpoint(session, ctx.actor, key)
    tab.show_page(tab.month)  # shown again: read again
    assert f"共 {signed.count} 条" in tab.month.shown.notes.text()
    assert chain.grouped(signed.head_hash) in tab.month.shown.notes.text()
    shot(tab, "ledger_month")
    pdf = tab.month.export_pdf(str(tmp_path / "月度.pdf"))
    assert "台账检查点" in PdfReader(str(pdf)).pages[-1].extract_text()

    tab.show_page(tab.party)
    tab.party.year.setValue(Y)
    assert tab.party.load()
    assert view_texts(tab.party.shown.tables[0])[0][0] == "李志愿"
    shot(tab, "ledger_party")


def checkpoint_count(ctx) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(LedgerCheckpoint))


def test_verify_dialog_reports_a_tampered_row_and_a_mistyped_checkpoint(qtbot, ctx, volunteer):
    ids = [add_record(ctx.db, ctx.actor, volunteer, 60, on=date(Y, 3, d)) for d in (1, 2, 3)]
    dialog = VerifyDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.report.ok and "台账完整" in dialog.result.text()
    with ctx.db.session(write=False) as session:
        fingerprint = chain.fingerprint(chain.station_public_key(session, ctx.actor.station_id))
    assert "共 3 条" in dialog.details.text() and fingerprint in dialog.details.text()
    assert dialog.problems.isHidden()
    shot(dialog, "ledger_verify_ok")

    with ctx.db.session() as session:
        session.execute(text("UPDATE service_records SET minutes = 600 WHERE id = :id"), {"id": ids[1]})
    dialog.extra.setPlainText("3 not-a-hash")
    assert dialog.verify() is None
    assert "第 1 行" in dialog.extra_error.text() and "64 位十六进制" in dialog.extra_error.text()
    assert dialog.report.ok  # nothing checked while a line is mistyped
    dialog.extra.setPlainText("")
    report = dialog.verify()
    assert not report.ok and "发现 1 处问题" in dialog.result.text()
    assert dialog.problems.count() == 1 and "台账第 2 条（服务记录）" in dialog.problems.item(0).text()
    shot(dialog, "ledger_verify_tampered")


def test_an_administrator_signs_and_exports_checkpoints(qtbot, ctx, volunteer, tmp_path, monkeypatch):
    add_record(ctx.db, ctx.actor, volunteer, 60, on=date(Y, 3, 1))
    dialog = VerifyDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.sign_button.isVisibleTo(dialog)
    before = checkpoint_count(ctx)

    def wrong_then_right(signer: SignCheckpointDialog) -> int:
        signer.password.setText("wrong-password")
        signer.accept()
        assert "密码不正确" in signer.error.text() and not signer.result()
        assert checkpoint_count(ctx) == before  # a refusal signs nothing
        shot(signer, "ledger_sign_refused")
        signer.password.setText(ADMIN_PASSWORD)
        signer.accept()
        return signer.result()

    monkeypatch.setattr(SignCheckpointDialog, "exec", wrong_then_right)
    signed = dialog.sign()
    assert signed is not None and signed.count == 1 and checkpoint_count(ctx) == before + 1
    assert "已签署检查点：第 1 条" in dialog.status.text()

    exported = dialog.export_checkpoints(str(tmp_path / "checkpoints.txt"))
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and lines[-1] == signed.text()
    dialog.extra.setPlainText(lines[-1])
    assert dialog.verify().checkpoints_checked >= 2  # stored and typed


def test_a_viewer_can_verify_but_not_sign(qtbot, ctx, volunteer):
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    dialog = VerifyDialog(AppContext(ctx.db, viewer, ctx.station_name))
    qtbot.addWidget(dialog)
    assert dialog.report.ok and not dialog.sign_button.isVisibleTo(dialog)
