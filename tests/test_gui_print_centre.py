"""证书打印 (the print centre page of 台账与打印) driven as a person would: choose, preview, print or save,
batch export, reprint, record certificates and the honour roll."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from station_app.models import CertificateIssue, Volunteer
from station_app.services import certificates as certs
from station_app.services import stars
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.ledger.tab import LedgerTab
from station_app.ui.printing import centre as centre_ui
from station_app.ui.printing.signing import PasswordDialog
from station_app.ui.printing.verify_dialog import VerifyCertificateDialog
from station_app.ui.qt import QMessageBox

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .ledger_factory import add_record
from .schedule_factory import make_volunteer
from .shots import shot

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

    def ask(_parent, text):  # noqa: ANN001, ANN202
        asked.append(text)
        return ADMIN_PASSWORD

    monkeypatch.setattr(PasswordDialog, "ask", staticmethod(ask))
    return asked


@pytest.fixture
def page(qtbot, ctx):
    tab = LedgerTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1400, 820)
    tab.show_page(tab.printing)
    return tab.printing


def serve(ctx, vid: int, total_hours: float, *, content: str = "关爱空巢老人") -> None:
    """Service records adding up to ``total_hours``, at most 8 h a day, ending yesterday."""
    left, day = int(total_hours * 60), TODAY - timedelta(days=1)
    while left > 0:
        add_record(ctx.db, ctx.actor, vid, min(left, 480), on=day, content=content, place="康华花园3栋")
        left -= 480
        day -= timedelta(days=1)


def starred(ctx, name: str, total_hours: float) -> int:
    """A volunteer with ``total_hours`` of service and their level confirmed today."""
    vid = make_volunteer(ctx.db, ctx.actor, name)
    serve(ctx, vid, total_hours)
    with ctx.db.session() as session:
        stars.confirm_award(session, ctx.actor, vid, stars.find(session, ctx.actor, vid).level, TODAY)
    return vid


def pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def issued(ctx) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(CertificateIssue))


def test_preview_then_save_issues_the_certificates_and_the_next_print_is_a_reprint(
        page, ctx, password, errors, tmp_path, monkeypatch):
    starred(ctx, "张晓明", 312.5)
    starred(ctx, "李䶮", 130)  # 䶮: not in the first font, printed with the fallback
    page.refresh()
    assert page.stars.model.rowCount() == 2
    assert {page.stars.model.data(page.stars.model.index(r, 6)) for r in range(2)} == {"未打印"}
    page.stars.table.selectAll()
    assert page.make_preview()
    assert len(password) == 1 and page.preview.page_count == 2 and errors == []
    assert issued(ctx) == 0  # a preview is not an issue
    shot(page, "print_centre_stars")
    text = pdf_text(page.preview.path)
    assert "张晓明" in text and "李䶮" in text and "312.5" in text and "SQ0101-XJ" in text
    saved = tmp_path / "星级证书.pdf"
    monkeypatch.setattr(type(page.preview), "ask_save_path", staticmethod(lambda _p, _s: str(saved)))
    page.preview.save_button.click()
    assert saved.exists() and issued(ctx) == 2
    assert "已登记发放 2 份" in page.status.text()
    assert page.stars.model.rowCount() == 0  # 只看未打印: both printed now
    page.preview.save_button.click()  # saving the same preview again issues nothing more
    assert issued(ctx) == 2

    page.stars.unprinted.setChecked(False)
    assert [r.times_printed for r in page.stars.model.rows] == [1, 1]
    page.stars.table.selectRow(0)
    assert page.make_preview() and len(password) == 1  # the key is kept for this session
    assert "补打" in pdf_text(page.preview.path)


def test_batch_export_one_file_per_person_in_the_background(page, ctx, password, errors, tmp_path, monkeypatch):
    for n, name in enumerate(("赵一", "钱二", "孙三", "李四", "周五")):
        starred(ctx, name, 100 + n * 10)
    page.refresh()
    page.stars.table.selectAll()
    page.per_person.setChecked(True)
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(centre_ui.PrintCentrePage, "ask_target", staticmethod(lambda *_a: str(folder)))
    assert page.export()
    files = sorted(folder.glob("*.pdf"))
    assert len(files) == 5 and all(len(PdfReader(str(f)).pages) == 1 for f in files)
    assert any("赵一" in f.name for f in files) and issued(ctx) == 5 and errors == []

    page.one_file.setChecked(True)
    page.stars.unprinted.setChecked(False)
    page.stars.table.selectAll()
    single = tmp_path / "全部.pdf"
    monkeypatch.setattr(centre_ui.PrintCentrePage, "ask_target", staticmethod(lambda *_a: str(single)))
    assert page.export()  # all five again: confirmed as reprints
    assert len(PdfReader(str(single)).pages) == 5 and issued(ctx) == 10
    assert pdf_text(single).count("补打") >= 5


def test_a_record_certificate_is_issued_when_made_and_verifies(page, ctx, password, errors):
    vid = make_volunteer(ctx.db, ctx.actor, "郑证明")
    for n in range(30):
        add_record(ctx.db, ctx.actor, vid, 120, on=TODAY - timedelta(days=n + 1), content=f"社区巡逻第{n + 1}次")
    with ctx.db.session(write=False) as session:
        full_id = session.get(Volunteer, vid).id_number
    page.show_record_for(vid, "郑证明")
    page.record.date_from.setDate(TODAY - timedelta(days=60))
    assert page.make_preview(), errors
    assert issued(ctx) == 1 and page.preview.page_count >= 2
    text = pdf_text(page.preview.path)
    assert "郑证明" in text and "60" in text and full_id not in text and full_id[:6] in text
    assert f"SQ0101-JL{TODAY.year}-0001" in page.status.text()
    shot(page, "print_centre_record")
    with ctx.db.session(write=False) as session:
        payload = session.scalar(select(CertificateIssue.payload))
    dialog = VerifyCertificateDialog(ctx)
    dialog.payload.setPlainText(payload)
    result = dialog.check()
    dialog.deleteLater()
    assert result is not None and result.valid


def test_reprint_from_the_issue_list(page, ctx, password, errors, tmp_path, monkeypatch):
    starred(ctx, "吴补打", 150)
    with ctx.db.session(write=False) as session:
        from station_app.services import chain

        key = chain.unlock_signing_key(session, ctx.actor, ADMIN_PASSWORD)
        printables = certs.star_certificates(session, ctx.actor, key, [c.award_id for c in certs.award_choices(session, ctx.actor)])
    with ctx.db.session() as session:
        certs.record_issued(session, ctx.actor, printables)
    page.show_kind(page.ISSUES)
    assert page.issues.model.rowCount() == 1
    page.issues.table.selectRow(0)
    assert page.make_preview()
    assert "补打" in pdf_text(page.preview.path)
    shot(page, "print_centre_issues")
    monkeypatch.setattr(type(page.preview), "ask_save_path", staticmethod(lambda _p, _s: str(tmp_path / "r.pdf")))
    page.preview.save_as()
    page.issues.refresh()
    assert [r.copy for r in page.issues.model.rows] == [2, 1]


def test_the_honour_roll_for_anyone_and_certificates_only_for_those_allowed(qtbot, ctx, errors):
    starred(ctx, "陈光荣", 320)
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    tab = LedgerTab(AppContext(db=ctx.db, actor=viewer, station_name=ctx.station_name))
    qtbot.addWidget(tab)
    tab.resize(1400, 820)
    page = tab.printing
    tab.show_page(page)
    assert not page.preview_button.isEnabled() and "没有" in page.preview_button.toolTip()
    page.show_kind(page.ROLL)
    assert page.preview_button.isEnabled()
    assert page.make_preview()
    text = pdf_text(page.preview.path)
    assert "陈光荣" in text and "二星级志愿者" in text
    shot(page, "print_centre_roll")


def test_a_name_no_font_can_draw_is_reported_and_nothing_is_issued(page, ctx, password, errors):
    from station_app.reports.fonts import missing_glyphs

    odd = "\U0003134A"  # CJK Extension G: in neither bundled font
    assert missing_glyphs(odd) == [odd]
    vid = starred(ctx, "王明", 120)
    with ctx.db.session() as session:
        session.get(Volunteer, vid).name = "王" + odd
    page.refresh()
    page.stars.table.selectAll()
    assert not page.make_preview()
    assert errors and odd in errors[0] and issued(ctx) == 0


def test_a_ledger_page_previews_what_it_prints(qtbot, ctx, errors, monkeypatch):
    vid = make_volunteer(ctx.db, ctx.actor, "周台账")
    add_record(ctx.db, ctx.actor, vid, 150, on=TODAY - timedelta(days=1), content="楼道清洁")
    tab = LedgerTab(ctx)
    qtbot.addWidget(tab)
    page = tab.month
    tab.show_page(page)
    assert not page.print_button.isEnabled()  # nothing chosen yet
    day = TODAY - timedelta(days=1)
    page.set_month(day.year, day.month)
    shown: list[tuple] = []
    monkeypatch.setattr(type(page), "show_preview", lambda _self, path, title, suggested: shown.append((path, title)))
    page.print_button.click()
    assert errors == [] and len(shown) == 1
    path, title = shown[0]
    assert "月度" in title and "周台账" in pdf_text(path)
