"""Printing from the screen one is on: 星级总览, 新达星级, 嘉许 and 志愿者台账, driven as a person would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.models import CertificateIssue, Volunteer
from station_app.services import honours as honours_svc
from station_app.services.auth import Role
from station_app.services.masking import mask_id_number
from station_app.ui.awards.tab import AwardsTab
from station_app.ui.common import AppContext
from station_app.ui.ledger.tab import LedgerTab
from station_app.ui.printing.centre import CertificatePreviewDialog
from station_app.ui.printing.record_dialog import RecordCertificateDialog
from station_app.ui.printing.signing import PasswordDialog
from station_app.ui.qt import QDate, QMessageBox
from station_app.ui.rows_model import select_ids

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .ledger_factory import add_record
from .schedule_factory import make_volunteer
from .shots import shot
from .test_gui_print_centre import pdf_text, serve, starred

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]
TODAY = date.today()


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, message, *a: shown.append(message))
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    return shown


@pytest.fixture
def password(monkeypatch) -> list[str]:
    asked: list[str] = []

    def ask(_parent, text):
        asked.append(text)
        return ADMIN_PASSWORD

    monkeypatch.setattr(PasswordDialog, "ask", staticmethod(ask))
    return asked


def issued(ctx) -> list:
    """(kind, certificate number, subject, volunteer id) of every certificate booked as issued."""
    with ctx.db.session(write=False) as session:
        return session.execute(select(CertificateIssue.kind, CertificateIssue.certificate_no,
                                      CertificateIssue.subject, CertificateIssue.volunteer_id)).all()


def previews(widget) -> list[CertificatePreviewDialog]:
    return widget.findChildren(CertificatePreviewDialog)


def awards_tab(qtbot, ctx) -> AwardsTab:
    tab = AwardsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 560)
    return tab


def test_the_overview_prints_the_selected_volunteers_certificate(qtbot, ctx, password, errors, tmp_path, monkeypatch):
    starred(ctx, "张晓明", 312.5)
    li = starred(ctx, "李志愿", 130)
    tab = awards_tab(qtbot, ctx)
    page = tab.overview
    assert not page.print_button.isEnabled() and "选择" in page.print_button.toolTip()
    select_ids(page.table, [li])
    assert page.print_button.isEnabled() and "李志愿" in page.print_button.toolTip()
    shot(tab, "print_buttons_overview")
    page.print_button.click()
    (dialog,) = previews(page)
    assert errors == [] and len(password) == 1
    assert dialog.preview.page_count == 1 and "李志愿" in dialog.windowTitle()
    text = pdf_text(dialog.preview.path)
    assert "李志愿" in text and "张晓明" not in text and f"SQ0101-XJ{TODAY.year}" in text
    assert issued(ctx) == []  # shown, not yet printed
    saved = tmp_path / "李志愿.pdf"
    monkeypatch.setattr(type(dialog.preview), "ask_save_path", staticmethod(lambda _p, _s: str(saved)))
    dialog.preview.save_button.click()
    assert saved.exists() and [i.subject for i in issued(ctx)] == ["李志愿"]
    assert "已登记发放 1 份" in dialog.status.text()
    dialog.reject()


def test_a_volunteer_without_a_confirmed_level_is_refused_with_the_reason(qtbot, ctx, password, errors):
    zhou = make_volunteer(ctx.db, ctx.actor, "周新人")
    serve(ctx, zhou, 120)  # enough for one star, not yet confirmed
    tab = awards_tab(qtbot, ctx)
    page = tab.overview
    select_ids(page.table, [zhou])
    assert "还没有认定的星级" in page.print_button.toolTip()
    page.print_button.click()
    assert len(errors) == 1 and "周新人还没有认定的星级" in errors[0] and "请先在“星级与嘉许”中认定" in errors[0]
    assert previews(page) == [] and issued(ctx) == []


def test_confirming_new_stars_offers_to_print_them(qtbot, ctx, password, errors):
    for name, hours in (("王热心", 320), ("李志愿", 100), ("赵一", 150)):
        serve(ctx, make_volunteer(ctx.db, ctx.actor, name), hours)
    tab = awards_tab(qtbot, ctx)
    tab.show_page(tab.eligible)
    page = tab.eligible
    assert page.print_button.isHidden()  # nothing confirmed yet
    assert page.check("王热心") and page.check("李志愿")
    page.confirm_button.click()
    assert not page.print_button.isHidden() and page.print_button.text() == "打印这 2 人的星级证书…"
    assert "已认定 2 人" in page.status.text() and password == []  # nothing asked before the click
    shot(tab, "print_buttons_eligible_confirmed")
    page.print_button.click()
    dialog = page.printed
    assert dialog is not None and dialog.preview.page_count == 2 and errors == []
    text = pdf_text(dialog.preview.path)
    assert "王热心" in text and "李志愿" in text and "赵一" not in text
    dialog.reject()

    page.check("赵一")
    page.confirm_button.click()  # the offer is now for the last confirmation only
    assert page.print_button.text() == "打印这 1 人的星级证书…"
    page.print_button.click()
    assert page.printed.preview.page_count == 1 and "赵一" in pdf_text(page.printed.preview.path)
    page.printed.reject()
    assert issued(ctx) == []  # previews only: nothing printed or saved


def test_the_honours_page_prints_the_selected_honours(qtbot, ctx, password, errors):
    li = make_volunteer(ctx.db, ctx.actor, "李志愿")
    wang = make_volunteer(ctx.db, ctx.actor, "王热心")
    with ctx.db.session(write=False) as session:
        title = {t.name: t for t in honours_svc.list_titles(session, ctx.actor)}["年度优秀志愿者"]
    for vid, citation in ((li, "五年如一日为独居长者送餐。"), (wang, "组织楼道清洁三十余次。")):
        with ctx.db.session() as session:
            honours_svc.award_honour(session, ctx.actor, honours_svc.HonourInput(
                title.id, vid, TODAY, "仁厚社区党委", citation, "volunteer"))
    tab = awards_tab(qtbot, ctx)
    tab.show_page(tab.honours)
    page = tab.honours
    assert page.table.rowCount() == 2 and not page.print_button.isEnabled()
    row = next(n for n, h in enumerate(page.rows) if h.target_name == "王热心")
    page.table.selectRow(row)
    assert page.print_button.isEnabled()
    page.print_button.click()
    (dialog,) = previews(page)
    assert dialog.preview.page_count == 1 and errors == []
    text = pdf_text(dialog.preview.path)
    assert "王热心" in text and "年度优秀志愿者" in text and "李志愿" not in text
    dialog.reject()
    dialog.setParent(None)

    page.table.selectAll()  # several at once
    page.print_button.click()
    (dialog,) = previews(page)
    assert dialog.preview.page_count == 2
    dialog.reject()


def test_the_volunteer_ledger_issues_a_record_certificate(qtbot, ctx, password, errors, monkeypatch):
    vid = make_volunteer(ctx.db, ctx.actor, "郑证明")
    for n in range(12):
        add_record(ctx.db, ctx.actor, vid, 150, on=TODAY - timedelta(days=3 * n + 1), content=f"社区巡逻第{n + 1}次")
    with ctx.db.session(write=False) as session:
        full_id = session.get(Volunteer, vid).id_number
    tab = LedgerTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1300, 760)
    page = tab.volunteer
    assert not page.record_button.isEnabled()  # nobody shown yet
    assert page.show_volunteer(vid) and page.record_button.isEnabled()
    shot(tab, "print_buttons_volunteer_ledger")
    earliest = TODAY - timedelta(days=34)

    def fill(dialog: RecordCertificateDialog) -> int:
        assert dialog.date_from.date().toPython() == date(TODAY.year, 1, 1)
        dialog.set_period(TODAY - timedelta(days=5), TODAY - timedelta(days=10))  # end before start
        dialog.accept()
        assert "早于起始日期" in dialog.error.text() and issued(ctx) == [] and password == []
        shot(dialog, "print_buttons_record_dialog_refused")
        dialog.all_button.click()  # from the earliest record (before the registration date)
        assert dialog.period() == (earliest, TODAY) and dialog.error.text() == ""
        dialog.last_year_button.click()
        assert dialog.period()[0] == QDate(TODAY).addYears(-1).addDays(1).toPython()
        shot(dialog, "print_buttons_record_dialog")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(RecordCertificateDialog, "exec", fill)
    page.record_button.click()
    (dialog,) = previews(page)
    rows = issued(ctx)
    number = f"SQ0101-JL{TODAY.year}-0001"
    assert errors == [] and [tuple(r) for r in rows] == [("record", number, "郑证明", vid)]
    assert number in dialog.status.text()
    text = pdf_text(dialog.preview.path)
    assert "郑证明" in text and "30" in text  # 12 × 2.5 hours
    assert full_id not in text and mask_id_number(full_id) in text
    dialog.resize(1000, 760)
    shot(dialog, "print_buttons_record_preview")
    dialog.reject()


def test_a_record_certificate_for_a_period_without_service_is_refused_in_the_dialog(qtbot, ctx, password, errors,
                                                                                      monkeypatch):
    vid = make_volunteer(ctx.db, ctx.actor, "钱空白")
    add_record(ctx.db, ctx.actor, vid, 120, on=TODAY - timedelta(days=1))
    dialog = RecordCertificateDialog(ctx, vid, "钱空白", first_day=TODAY)
    qtbot.addWidget(dialog)
    dialog.set_period(TODAY - timedelta(days=400), TODAY - timedelta(days=300))
    dialog.accept()
    assert "没有计入的服务记录" in dialog.error.text() and dialog.printable is None and issued(ctx) == []
    assert errors == []


def test_a_viewer_sees_the_print_buttons_disabled_with_the_reason(qtbot, ctx, errors):
    starred(ctx, "陈光荣", 150)
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    vctx = AppContext(db=ctx.db, actor=viewer, station_name=ctx.station_name)
    tab = AwardsTab(vctx)
    qtbot.addWidget(tab)
    tab.overview.table.selectRow(0)
    tab.honours.table.selectAll()
    ledger = LedgerTab(vctx)
    qtbot.addWidget(ledger)
    with ctx.db.session(write=False) as session:
        vid = session.scalar(select(Volunteer.id))
    assert ledger.volunteer.show_volunteer(vid)
    for button in (tab.overview.print_button, tab.honours.print_button, ledger.volunteer.record_button):
        assert not button.isEnabled() and "没有“打印证书和服务记录证明”的权限" in button.toolTip()
    assert not tab.eligible.may_print
    with ctx.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(CertificateIssue)) == 0
