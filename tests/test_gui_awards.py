"""The 星级与嘉许 tab driven as a person would: confirm a new star, review a flagged award, award an honour."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.models import Honour, StarAward
from station_app.services import hours
from station_app.services.auth import Role
from station_app.ui.awards.honours import HonourDialog, TitlesDialog
from station_app.ui.awards.tab import AwardsTab
from station_app.ui.common import AppContext
from station_app.ui.demand.projects import ReasonDialog
from station_app.ui.qt import QMessageBox
from station_app.ui.rows_model import view_texts

from .conftest import add_user, setup_station
from .ledger_factory import add_correction, add_record
from .schedule_factory import make_volunteer
from .shots import shot

pytestmark = pytest.mark.gui

TODAY = date.today()


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


def serve(ctx, volunteer_id: int, total_hours: float) -> list[int]:
    left, day, ids = int(total_hours * 60), TODAY - timedelta(days=1), []
    while left > 0:
        ids.append(add_record(ctx.db, ctx.actor, volunteer_id, min(left, 480), on=day))
        left -= min(left, 480)
        day -= timedelta(days=1)
    return ids


def count(ctx, model) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def people(ctx):
    """A volunteer at exactly 100 h, one at 320 h, one halfway to the first star."""
    li = make_volunteer(ctx.db, ctx.actor, "李志愿")
    wang = make_volunteer(ctx.db, ctx.actor, "王热心")
    zhou = make_volunteer(ctx.db, ctx.actor, "周新人")
    records = serve(ctx, li, 100)
    serve(ctx, wang, 320)
    serve(ctx, zhou, 52.5)
    return {"li": li, "wang": wang, "zhou": zhou, "li_records": records}


def test_a_volunteer_at_100_hours_is_confirmed_and_the_overview_shows_the_star(qtbot, ctx, people, monkeypatch):
    tab = AwardsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    overview = tab.overview
    rows = {r[0]: r for r in view_texts(overview.table)}
    assert rows["李志愿"][2:5] == ["100", "★", "未认定"]
    assert rows["王热心"][3] == "★★" and rows["周新人"][3] == "—"
    assert "未达星级 <b>1</b> 人" in overview.summary.text()
    shot(tab, "awards_overview_before")

    tab.show_page(tab.eligible)
    page = tab.eligible
    assert [r.name for r in page.rows] == ["王热心", "李志愿"]
    assert not page.confirm_button.isEnabled() and page.confirm_all_button.isEnabled()
    assert page.check("李志愿")
    assert page.confirm_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.confirm_button.click()
    certificate = f"SQ0101-XJ{TODAY.year}-0001"
    assert certificate in page.status.text() and "李志愿 一星级志愿者" in page.status.text()
    assert [r.name for r in page.rows] == ["王热心"]
    shot(tab, "awards_eligible_confirmed")

    tab.show_page(tab.overview)
    rows = {r[0]: r for r in view_texts(overview.table)}
    assert rows["李志愿"][3:5] == ["★", "一星级志愿者"]

    overview.search.setText("wrx")  # 王热心's initials
    overview.apply_filter()
    assert [r[0] for r in view_texts(overview.table)] == ["王热心"]


def test_confirm_all_lists_every_certificate(qtbot, ctx, people, monkeypatch):
    tab = AwardsTab(ctx)
    qtbot.addWidget(tab)
    tab.show_page(tab.eligible)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.eligible.confirm_all_button.click()
    text = tab.eligible.status.text()
    assert "已认定 2 人" in text and "王热心 二星级志愿者" in text and f"XJ{TODAY.year}-0002" in text
    assert tab.eligible.rows == [] and count(ctx, StarAward) == 2


def test_a_correction_below_the_level_is_reviewed_on_the_review_page(qtbot, ctx, people, monkeypatch):
    from station_app.services import stars

    with ctx.db.session() as session:
        stars.confirm_award(session, ctx.actor, people["li"], 1, TODAY)
    add_correction(ctx.db, ctx.actor, people["li_records"][0], 240, reason="签到表核对，实际 4 小时")
    with ctx.db.session() as session:
        hours.flag_awards_below(session, ctx.actor, people["li"], "签到表核对，实际 4 小时")
    tab = AwardsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 500)
    tab.show_page(tab.review)
    page = tab.review
    assert page.table.rowCount() == 1 and page.table.item(0, 6).text() == "96"
    assert not page.keep_button.isEnabled()
    page.table.selectRow(0)
    shot(tab, "awards_review")
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: " "))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: seen.append(text))
    seen: list[str] = []
    page.revoke_button.click()
    assert seen and "请填写复核说明" in seen[0] and page.table.rowCount() == 1
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, parent, title, prompt: "时长不足，撤销"))
    page.table.selectRow(0)
    page.revoke_button.click()
    assert page.table.rowCount() == 0 and "已撤销：李志愿" in page.status.text()


def test_award_an_honour_through_the_dialog_refusing_a_missing_issuer(qtbot, ctx, people, monkeypatch):
    tab = AwardsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1100, 500)
    tab.show_page(tab.honours)
    page = tab.honours

    def fill(dialog: HonourDialog) -> int:
        dialog.choose_title("年度优秀志愿者")
        dialog.search.setText("李")
        dialog.load_targets()
        assert dialog.choose_target("李志愿")
        dialog.citation.setPlainText("五年如一日为独居长者送餐，累计服务百余小时。")
        dialog.accept()  # no issuer: refused, stays open
        assert "请填写颁发单位" in dialog.error.text() and count(ctx, Honour) == 0
        dialog.issuer.setText("仁厚社区党委")
        dialog.resize(560, 600)
        shot(dialog, "awards_honour_dialog")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(HonourDialog, "exec", fill)
    page.award_button.click()
    assert f"SQ0101-JX{TODAY.year}-0001" in page.status.text()
    assert page.table.rowCount() == 1 and page.table.item(0, 3).text() == "李志愿"
    shot(tab, "awards_honours")


def test_titles_dialog_adds_and_retires_a_title(qtbot, ctx, monkeypatch):
    dialog = TitlesDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 4
    dialog.name.setText("优秀楼长")
    dialog.kind.setCurrentIndex(dialog.kind.findData("volunteer"))
    dialog.add()
    assert "已新增称号“优秀楼长”" in dialog.status.text() and dialog.table.rowCount() == 5
    dialog.add()  # the same name again
    assert "已有名为“优秀楼长”的称号" in dialog.error.text()
    dialog.active_button.click()
    assert dialog.selected().active is False
    shot(dialog, "awards_titles")


def test_a_viewer_sees_the_lists_but_every_button_is_disabled_with_a_reason(qtbot, ctx, people):
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    clerk = add_user(ctx.db, ctx.actor, "clerk", Role.CLERK)
    for actor in (viewer, clerk):
        tab = AwardsTab(AppContext(db=ctx.db, actor=actor))
        qtbot.addWidget(tab)
        assert tab.overview.table.rowCount() == 3
        assert len(tab.eligible.rows) == 2
        for button in (tab.eligible.confirm_button, tab.eligible.confirm_all_button, tab.review.keep_button,
                       tab.honours.award_button, tab.honours.titles_button):
            assert not button.isEnabled() and "没有" in button.toolTip()
    tab.show_page(tab.eligible)
    tab.resize(1000, 400)
    shot(tab, "awards_eligible_clerk")
