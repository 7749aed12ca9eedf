"""The week/month calendar of activities and trainings, with festivals (“我们的节日”) marked."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from station_app.ui.qt import Qt
from station_app.ui.schedule.calendar import CalendarEntry, CalendarView

# The widget is shown so its layouts size the day cells; the offscreen platform warns on any shown window.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def entry(entry_id: int, title: str, start: str, end: str, *, kind: str = "activity", status: str = "planned",
          label: str = "计划") -> CalendarEntry:
    return CalendarEntry(kind, entry_id, title, datetime.fromisoformat(start), datetime.fromisoformat(end),
                         status, label, detail="社区活动室；志愿者 2/4")


ENTRIES = [
    entry(1, "中秋送月饼慰问空巢老人", "2025-10-06 09:30", "2025-10-06 11:30"),
    entry(2, "岗前培训：健康义诊", "2025-10-06 14:00", "2025-10-06 16:00", kind="training"),
    entry(3, "健康义诊", "2025-10-08 09:00", "2025-10-08 12:00", status="cancelled", label="已取消"),
    entry(4, "邻里文化节", "2025-09-30 09:00", "2025-10-01 17:00", status="done", label="已完成"),
    entry(5, "早班巡逻", "2025-10-06 07:00", "2025-10-06 08:00"),
]


class FakeLoader:
    """Stands in for the service: remembers each range asked for, returns what overlaps it."""

    def __init__(self, entries: list[CalendarEntry]) -> None:
        self.entries = entries
        self.calls: list[tuple[date, date]] = []

    def __call__(self, first: date, last: date) -> list[CalendarEntry]:
        self.calls.append((first, last))
        return [e for e in self.entries if e.starts_at.date() <= last and e.ends_at.date() >= first]


@pytest.fixture
def make_view(qtbot):
    def make(entries=(), today=date(2025, 10, 8), mode="month", day=None):
        loader = FakeLoader(list(entries))
        view = CalendarView(loader, today=today)
        qtbot.addWidget(view)
        view.resize(1300, 640)
        view.set_mode(mode)
        if day:
            view.go_to(day)
        view.show()
        qtbot.waitExposed(view)
        return view, loader
    return make


def cell(view: CalendarView, day: date):
    first, _last = view.visible_range()
    cells = view.week_cells if view.mode() == "week" else view.month_cells
    return cells[(day - first).days]


def shown_texts(view: CalendarView, day: date) -> list[str]:
    entries = cell(view, day).entries
    return [entries.item(i).text() for i in range(entries.count())]


def double_click(qtbot, list_widget, pos) -> None:  # noqa: ANN001
    """As a person does it: press, release, then the second click (Qt 6 item views want the press)."""
    qtbot.mouseClick(list_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(list_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_month_of_september_2024_shows_mid_autumn_on_the_17th(make_view):
    view, loader = make_view(day=date(2024, 9, 1))
    assert view.title_text() == "2024年9月"
    assert view.visible_range() == (date(2024, 8, 26), date(2024, 10, 6))  # Monday first, six weeks
    assert loader.calls[-1] == (date(2024, 8, 26), date(2024, 10, 6))
    assert [f.name for f in view.festivals_on(date(2024, 9, 17))] == ["中秋"]
    assert "中秋" in cell(view, date(2024, 9, 17)).festivals.text()
    assert cell(view, date(2024, 9, 16)).festivals.text() == ""
    # 重阳 is in October, outside this month's grid; 国庆 is not one of ours.
    assert view.festivals_on(date(2024, 10, 1)) == []


def test_traditional_festivals_red_observance_days_another_colour(make_view):
    view, _loader = make_view(day=date(2025, 3, 1))
    lei_feng = cell(view, date(2025, 3, 5)).festivals.text()
    assert "学雷锋日" in lei_feng and "#c62828" not in lei_feng
    view.go_to(date(2025, 10, 1))
    assert "中秋" in cell(view, date(2025, 10, 6)).festivals.text()
    assert "#c62828" in cell(view, date(2025, 10, 6)).festivals.text()


def test_entries_on_the_right_days_in_month_and_week(make_view):
    view, _loader = make_view(ENTRIES, day=date(2025, 10, 6))
    assert [e.id for e in view.entries_on(date(2025, 10, 6))] == [5, 1, 2]  # in time order
    assert [e.id for e in view.entries_on(date(2025, 10, 8))] == [3]
    assert [e.id for e in view.entries_on(date(2025, 9, 30))] == [4]  # the grid's September days too
    assert [e.id for e in view.entries_on(date(2025, 10, 1))] == [4]  # a two-day entry on both days
    assert view.entries_on(date(2025, 10, 7)) == []
    month = shown_texts(view, date(2025, 10, 6))
    assert month[0] == "07:00 早班巡逻"
    assert any("中秋送月饼慰问空巢老人" in text for text in month)
    assert shown_texts(view, date(2025, 10, 1)) == ["(续) 邻里文化节"]
    assert "学雷锋" not in cell(view, date(2025, 10, 6)).festivals.text()

    view.set_mode("week")
    assert view.visible_range() == (date(2025, 10, 6), date(2025, 10, 12))
    assert view.title_text() == "2025年10月6日 — 12日"
    week = shown_texts(view, date(2025, 10, 6))
    assert week == ["07:00–08:00  计划\n早班巡逻", "09:30–11:30  计划\n中秋送月饼慰问空巢老人",
                    "14:00–16:00  计划\n[培训] 岗前培训：健康义诊"]
    assert "中秋" in cell(view, date(2025, 10, 6)).festivals.text()
    assert "周一 10月6日" in cell(view, date(2025, 10, 6)).number.text()
    assert view.entries_on(date(2025, 10, 1)) == []  # not in this week
    cancelled = cell(view, date(2025, 10, 8)).entries.item(0)
    assert "已取消" in cancelled.text() and cancelled.font().strikeOut()
    assert "社区活动室；志愿者 2/4" in cancelled.toolTip()


def test_navigation_changes_the_range_and_asks_the_loader(make_view, qtbot):
    view, loader = make_view(day=date(2026, 11, 15))
    assert view.title_text() == "2026年11月"
    assert view.prev_button.text().endswith("上一月")
    with qtbot.waitSignal(view.range_changed) as changed:
        view.next_button.click()
    assert view.title_text() == "2026年12月"
    assert changed.args == [date(2026, 11, 30), date(2027, 1, 10)]
    assert loader.calls[-1] == (date(2026, 11, 30), date(2027, 1, 10))
    view.next_button.click()
    assert view.title_text() == "2027年1月"
    view.prev_button.click()
    view.prev_button.click()
    view.prev_button.click()
    assert view.title_text() == "2026年10月"

    view.week_button.click()
    assert view.mode() == "week" and view.prev_button.text().endswith("上一周")
    assert view.visible_range() == (date(2026, 9, 28), date(2026, 10, 4))
    view.go_to(date(2026, 12, 3))
    assert view.title_text() == "2026年11月30日 — 12月6日"
    assert loader.calls[-1] == (date(2026, 11, 30), date(2026, 12, 6))
    for _n in range(4):
        view.next_button.click()
    assert view.title_text() == "2026年12月28日 — 2027年1月3日"
    view.today_button.click()
    assert view.visible_range() == (date(2025, 10, 6), date(2025, 10, 12))
    calls = len(loader.calls)
    view.refresh()
    assert len(loader.calls) == calls + 1 and loader.calls[-1] == view.visible_range()
    view.month_button.click()
    assert view.title_text() == "2025年10月" and loader.calls[-1] == (date(2025, 9, 29), date(2025, 11, 9))


def test_refresh_shows_what_the_loader_now_returns(make_view):
    view, loader = make_view(day=date(2025, 10, 6), mode="week")
    assert view.entries_on(date(2025, 10, 9)) == []
    loader.entries.append(entry(9, "代交水电费", "2025-10-09 10:00", "2025-10-09 10:30"))
    view.refresh()
    assert [e.title for e in view.entries_on(date(2025, 10, 9))] == ["代交水电费"]
    assert shown_texts(view, date(2025, 10, 9)) == ["10:00–10:30  计划\n代交水电费"]


def test_double_clicks_emit_entry_and_day(make_view, qtbot):
    view, _loader = make_view(ENTRIES, day=date(2025, 10, 6), mode="week")
    entries = cell(view, date(2025, 10, 6)).entries
    rect = entries.visualItemRect(entries.item(1))
    with qtbot.waitSignal(view.entry_activated) as activated:
        double_click(qtbot, entries, rect.center())
    assert activated.args == ["activity", 1]
    rect = entries.visualItemRect(entries.item(2))
    with qtbot.waitSignal(view.entry_activated) as activated:
        double_click(qtbot, entries, rect.center())
    assert activated.args == ["training", 2]
    empty = cell(view, date(2025, 10, 7)).entries
    with qtbot.waitSignal(view.day_activated) as day:
        double_click(qtbot, empty, empty.viewport().rect().center())
    assert day.args == [date(2025, 10, 7)]

    view.set_mode("month")
    month_list = cell(view, date(2025, 10, 8)).entries
    with qtbot.waitSignal(view.entry_activated) as activated:
        double_click(qtbot, month_list, month_list.visualItemRect(month_list.item(0)).center())
    assert activated.args == ["activity", 3]
    below = month_list.viewport().rect().center()
    below.setY(month_list.viewport().rect().bottom() - 3)  # under the day's only entry
    with qtbot.waitSignal(view.day_activated) as day:
        double_click(qtbot, month_list, below)
    assert day.args == [date(2025, 10, 8)]


def test_a_full_day_says_how_many_more_and_opens_its_week(make_view, qtbot):
    busy = [entry(100 + n, f"巡逻第{n}班", f"2025-10-15 {8 + n:02d}:00", f"2025-10-15 {8 + n:02d}:30")
            for n in range(10)]
    view, _loader = make_view(busy, day=date(2025, 10, 1))
    texts = shown_texts(view, date(2025, 10, 15))
    assert texts[-1].startswith("+") and texts[-1].endswith(" 项")
    hidden = int(texts[-1][1:-2])
    assert len(texts) - 1 + hidden == 10 and texts[0] == "08:00 巡逻第0班"
    assert len(view.entries_on(date(2025, 10, 15))) == 10
    more = cell(view, date(2025, 10, 15)).entries
    with qtbot.waitSignal(view.range_changed):
        double_click(qtbot, more, more.visualItemRect(more.item(more.count() - 1)).center())
    assert view.mode() == "week" and view.visible_range() == (date(2025, 10, 13), date(2025, 10, 19))
    assert len(shown_texts(view, date(2025, 10, 15))) == 10


def test_today_is_highlighted_and_other_months_greyed(make_view):
    view, _loader = make_view(day=date(2025, 10, 1))
    assert "#fff4c2" in cell(view, date(2025, 10, 8)).styleSheet()
    assert "#fff4c2" not in cell(view, date(2025, 10, 9)).styleSheet()
    assert "#9e9e9e" in cell(view, date(2025, 9, 29)).number.styleSheet()
    assert "#9e9e9e" not in cell(view, date(2025, 10, 9)).number.styleSheet()


def test_edges_of_the_festival_range_do_not_break_the_calendar(make_view):
    view, _loader = make_view(day=date(2100, 12, 1))
    assert [f.name for f in view.festivals_on(date(2100, 12, 5))] == ["国际志愿者日"]
    view.next_button.click()
    assert view.title_text() == "2101年1月" and view.festivals_on(date(2101, 1, 1)) == []
