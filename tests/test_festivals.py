"""Festival dates (“我们的节日” and volunteer days) and the festival visit templates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_app.errors import ValidationError
from station_app.resources import load_json
from station_app.services import festivals as fest
from station_app.services.festivals import (
    FESTIVAL_NAMES,
    MAX_YEAR,
    MIN_YEAR,
    festival_date,
    festival_template,
    festival_templates,
    festivals_between,
    next_festival_date,
)

# Written down from published calendars (the Hong Kong Observatory's Gregorian–lunar tables,
# the State Council's public holiday notices), not computed with the code under test.
# 2057, 2089 and 2097 are left out on purpose: their new moons fall within minutes of midnight
# and the published tables disagree by a day (see the module docstring).
KNOWN = [
    ("spring_festival", "1950-02-17"),
    ("spring_festival", "1960-01-28"),
    ("spring_festival", "1965-02-02"),
    ("spring_festival", "1966-01-21"),  # the earliest in the range
    ("spring_festival", "1970-02-06"),
    ("spring_festival", "1976-01-31"),
    ("spring_festival", "1980-02-16"),
    ("spring_festival", "1984-02-02"),
    ("spring_festival", "1985-02-20"),  # the latest in the range
    ("spring_festival", "1988-02-17"),
    ("spring_festival", "1990-01-27"),
    ("spring_festival", "1997-02-07"),
    ("spring_festival", "1999-02-16"),
    ("spring_festival", "2000-02-05"),
    ("spring_festival", "2008-02-07"),
    ("spring_festival", "2010-02-14"),
    ("spring_festival", "2015-02-19"),
    ("spring_festival", "2018-02-16"),
    ("spring_festival", "2020-01-25"),
    ("spring_festival", "2021-02-12"),
    ("spring_festival", "2022-02-01"),
    ("spring_festival", "2023-01-22"),
    ("spring_festival", "2024-02-10"),
    ("spring_festival", "2025-01-29"),
    ("spring_festival", "2026-02-17"),
    ("spring_festival", "2027-02-06"),
    ("spring_festival", "2030-02-03"),
    ("spring_festival", "2033-01-31"),
    ("spring_festival", "2050-01-23"),
    ("spring_festival", "2100-02-09"),
    ("lantern", "2020-02-08"),
    ("lantern", "2023-02-05"),
    ("lantern", "2024-02-24"),
    ("lantern", "2025-02-12"),
    ("qingming", "2008-04-04"),
    ("qingming", "2019-04-05"),
    ("qingming", "2020-04-04"),
    ("qingming", "2021-04-04"),
    ("qingming", "2022-04-05"),
    ("qingming", "2023-04-05"),
    ("qingming", "2024-04-04"),
    ("qingming", "2025-04-04"),
    ("qingming", "2026-04-05"),
    ("dragon_boat", "2008-06-08"),
    ("dragon_boat", "2018-06-18"),
    ("dragon_boat", "2019-06-07"),
    ("dragon_boat", "2020-06-25"),
    ("dragon_boat", "2021-06-14"),
    ("dragon_boat", "2022-06-03"),
    ("dragon_boat", "2023-06-22"),
    ("dragon_boat", "2024-06-10"),
    ("dragon_boat", "2025-05-31"),
    ("dragon_boat", "2026-06-19"),
    ("qixi", "2020-08-25"),
    ("qixi", "2023-08-22"),
    ("qixi", "2024-08-10"),
    ("qixi", "2025-08-29"),
    ("mid_autumn", "2000-09-12"),
    ("mid_autumn", "2008-09-14"),
    ("mid_autumn", "2010-09-22"),
    ("mid_autumn", "2015-09-27"),
    ("mid_autumn", "2016-09-15"),
    ("mid_autumn", "2017-10-04"),
    ("mid_autumn", "2018-09-24"),
    ("mid_autumn", "2019-09-13"),
    ("mid_autumn", "2020-10-01"),
    ("mid_autumn", "2021-09-21"),
    ("mid_autumn", "2022-09-10"),
    ("mid_autumn", "2023-09-29"),
    ("mid_autumn", "2024-09-17"),
    ("mid_autumn", "2025-10-06"),
    ("mid_autumn", "2026-09-25"),
    ("double_ninth", "2020-10-25"),
    ("double_ninth", "2023-10-23"),
    ("double_ninth", "2024-10-11"),
    ("double_ninth", "2025-10-29"),
    ("lei_feng_day", "1963-03-05"),
    ("volunteer_day", "2024-12-05"),
]


@pytest.mark.parametrize(("key", "day"), KNOWN, ids=[f"{k}-{d}" for k, d in KNOWN])
def test_known_dates(key, day):
    expected = date.fromisoformat(day)
    assert festival_date(key, expected.year) == expected


def test_names_in_calendar_order():
    assert list(FESTIVAL_NAMES.values()) == [
        "春节", "元宵", "学雷锋日", "清明", "端午", "七夕", "中秋", "重阳", "国际志愿者日"]


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1, 1900, 3000])
def test_year_out_of_range_refused_in_chinese(year):
    with pytest.raises(ValidationError, match=f"1950—2100 年，{year} 年超出了范围"):
        festival_date("mid_autumn", year)


def test_range_edges_accepted():
    assert festival_date("spring_festival", MIN_YEAR) == date(1950, 2, 17)
    assert festival_date("double_ninth", MAX_YEAR).year == 2100
    assert festival_date("volunteer_day", MAX_YEAR) == date(2100, 12, 5)


def test_unknown_festival_refused_in_chinese():
    with pytest.raises(ValidationError, match="没有这个节日：christmas"):
        festival_date("christmas", 2024)
    with pytest.raises(ValidationError, match="没有这个节日"):
        festival_template("christmas")


def test_between_across_a_year_boundary():
    shown = festivals_between(date(2024, 12, 1), date(2025, 2, 12))
    assert [(f.name, f.day) for f in shown] == [
        ("国际志愿者日", date(2024, 12, 5)),
        ("春节", date(2025, 1, 29)),
        ("元宵", date(2025, 2, 12)),  # the end day is included
    ]
    assert [f.traditional for f in shown] == [False, True, True]


def test_between_is_inclusive_and_one_day_works():
    assert [f.key for f in festivals_between(date(2024, 9, 17), date(2024, 9, 17))] == ["mid_autumn"]
    assert festivals_between(date(2024, 9, 18), date(2024, 10, 10)) == []


def test_between_a_day_with_two_festivals_sorted_by_key():
    # 2015: 春节 on 19 February, so 元宵 fell on 5 March, 学雷锋日.
    shown = festivals_between(date(2015, 3, 5), date(2015, 3, 5))
    assert [(f.key, f.day) for f in shown] == [("lantern", date(2015, 3, 5)), ("lei_feng_day", date(2015, 3, 5))]


def test_between_at_the_edges_of_the_range_shows_what_it_can():
    assert [f.key for f in festivals_between(date(2100, 12, 1), date(2101, 2, 28))] == ["volunteer_day"]
    assert [f.day for f in festivals_between(date(1949, 12, 1), date(1950, 2, 28))] == [date(1950, 2, 17)]


def test_between_refuses_a_reversed_range():
    with pytest.raises(ValidationError, match="开始日期不能晚于结束日期"):
        festivals_between(date(2025, 1, 2), date(2025, 1, 1))


def test_next_festival_date_on_before_and_after_the_day():
    assert next_festival_date("mid_autumn", date(2024, 9, 1)) == date(2024, 9, 17)
    assert next_festival_date("mid_autumn", date(2024, 9, 17)) == date(2024, 9, 17)
    assert next_festival_date("mid_autumn", date(2024, 9, 18)) == date(2025, 10, 6)
    assert next_festival_date("volunteer_day", date(2024, 12, 6)) == date(2025, 12, 5)


def test_next_festival_date_beyond_the_range_refused():
    with pytest.raises(ValidationError, match="2101 年超出了范围"):
        next_festival_date("mid_autumn", date(2100, 12, 31))


# Each lunar festival's month holds a fixed principal solar term (正月 雨水 18–20 Feb, 五月 夏至
# 21–22 Jun, 七月 处暑 22–24 Aug, 八月 秋分 22–24 Sep, 九月 霜降 23–24 Oct), so the month begins at
# most a lunation (29.5 days) before that term and no later than it; the windows follow from
# that, not from the library.
WINDOWS = {
    "spring_festival": ((1, 21), (2, 20)),
    "lantern": ((2, 4), (3, 6)),
    "qingming": ((4, 4), (4, 6)),
    "dragon_boat": ((5, 26), (6, 26)),
    "qixi": ((7, 29), (8, 30)),
    "mid_autumn": ((9, 7), (10, 8)),
    "double_ninth": ((10, 1), (11, 1)),
}


def test_every_year_each_traditional_festival_in_its_window_and_in_order():
    lunar_order = ["spring_festival", "lantern", "qingming", "dragon_boat", "qixi", "mid_autumn", "double_ninth"]
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        days = {key: festival_date(key, year) for key in lunar_order}
        for key, (first, last) in WINDOWS.items():
            assert date(year, *first) <= days[key] <= date(year, *last), (key, year, days[key])
        assert [days[k] for k in lunar_order] == sorted(days.values()), year
        assert days["lantern"] - days["spring_festival"] == timedelta(days=14), year


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(1945, 1, 1), max_value=date(2105, 12, 31)),
    length=st.integers(min_value=0, max_value=800),
)
def test_between_agrees_with_festival_date(start, length):
    end = start + timedelta(days=length)
    shown = festivals_between(start, end)
    expected = sorted(
        (festival_date(key, year), key)
        for year in range(max(start.year, MIN_YEAR), min(end.year, MAX_YEAR) + 1)
        for key in FESTIVAL_NAMES
        if start <= festival_date(key, year) <= end
    )
    assert [(f.day, f.key) for f in shown] == expected
    assert all(f.name == FESTIVAL_NAMES[f.key] and f.traditional == (f.key in fest.TRADITIONAL) for f in shown)


def test_one_template_per_festival_with_a_shipped_menu_item():
    templates = festival_templates()
    assert [t.festival for t in templates] == list(FESTIVAL_NAMES)
    menu_items = {item["name"] for cat in load_json("service_menu.json")["categories"] for item in cat["items"]}
    for template in templates:
        assert template.service_item in menu_items, template
        assert 0 < template.minutes <= 8 * 60 and template.volunteers_needed > 0
        assert template.place and template.description
        assert "{group}" in template.title and "{festival}" in template.title
    traditional = [t for t in templates if t.festival in fest.TRADITIONAL]
    assert {t.service_item for t in traditional} == {"“我们的节日”慰问"}


def test_template_titles_read_as_chinese():
    assert festival_template("mid_autumn").title_for("空巢老人") == "中秋送月饼慰问空巢老人"
    assert festival_template("spring_festival").title_for("困难职工") == "春节慰问困难职工"
    assert festival_template("dragon_boat").title_for("留守儿童").startswith("端午包粽子")
    assert "敬老" in festival_template("double_ninth").title_for("空巢老人")
    assert "文明祭扫" in festival_template("qingming").title_for("低保户")
