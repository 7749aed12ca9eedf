"""Festival calendar: the traditional festivals (“我们的节日”, plan §四(二)2) and volunteer days.

Lunar festivals and 清明 (a solar term) are computed offline with ``lunar-python`` for any
year 1950–2100; 学雷锋日 (3月5日) and 国际志愿者日 (12月5日) are fixed Gregorian days.

A note on the far future: in 2057, 2089 and 2097 a new moon falls within minutes of midnight
Beijing time, so published tables differ by one day (the Hong Kong Observatory's own footnote
says so). ``lunar-python`` follows the astronomical computation there; the dates of those
three years (2057 重阳, 2089 中秋, 2097 七夕) may move by a day once they are officially
published.

Also the defaults for a festival visit activity (``FestivalTemplate``), loaded from
``resources/data/festival_templates.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from functools import cache

from lunar_python import Lunar

from ..errors import ValidationError
from ..i18n import _
from ..resources import load_json

MIN_YEAR, MAX_YEAR = 1950, 2100

# key -> Chinese name, in calendar order.
FESTIVAL_NAMES: dict[str, str] = {
    "spring_festival": "春节",
    "lantern": "元宵",
    "lei_feng_day": "学雷锋日",
    "qingming": "清明",
    "dragon_boat": "端午",
    "qixi": "七夕",
    "mid_autumn": "中秋",
    "double_ninth": "重阳",
    "volunteer_day": "国际志愿者日",
}

# Festivals on a lunar (month, day) — never in a leap month.
_LUNAR: dict[str, tuple[int, int]] = {
    "spring_festival": (1, 1),
    "lantern": (1, 15),
    "dragon_boat": (5, 5),
    "qixi": (7, 7),
    "mid_autumn": (8, 15),
    "double_ninth": (9, 9),
}
# Festivals on a solar term.
_SOLAR_TERMS: dict[str, str] = {"qingming": "清明"}
# Observance days on a fixed Gregorian (month, day).
_FIXED: dict[str, tuple[int, int]] = {"lei_feng_day": (3, 5), "volunteer_day": (12, 5)}

TRADITIONAL: frozenset[str] = frozenset(_LUNAR) | frozenset(_SOLAR_TERMS)


@dataclass(frozen=True)
class Festival:
    key: str
    name: str
    day: date
    traditional: bool


@dataclass(frozen=True)
class FestivalTemplate:
    festival: str
    title: str
    service_item: str
    start: time
    minutes: int
    place: str
    volunteers_needed: int
    description: str

    def title_for(self, group: str) -> str:
        """The title with its placeholders filled in, e.g. "中秋送月饼慰问空巢老人"."""
        return self.title.format(festival=FESTIVAL_NAMES[self.festival], group=group)


def _check_key(key: str) -> None:
    if key not in FESTIVAL_NAMES:
        raise ValidationError(_("没有这个节日：{k}。可选的节日有：{names}").format(k=key, names="、".join(FESTIVAL_NAMES.values())), field="festival")


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_("节日日期只能查询 {a}—{b} 年，{y} 年超出了范围").format(a=MIN_YEAR, b=MAX_YEAR, y=year), field="year")


@cache
def _year_dates(year: int) -> dict[str, date]:
    """Every festival of one Gregorian year (the year is checked by the caller)."""
    out: dict[str, date] = {}
    for key, (month, day) in _LUNAR.items():
        solar = Lunar.fromYmd(year, month, day).getSolar()
        out[key] = date(solar.getYear(), solar.getMonth(), solar.getDay())
    # The table of lunar year ``year`` holds the solar terms from the winter solstice before it.
    terms = Lunar.fromYmd(year, 3, 1).getJieQiTable()
    for key, term in _SOLAR_TERMS.items():
        solar = terms[term]
        out[key] = date(solar.getYear(), solar.getMonth(), solar.getDay())
    for key, (month, day) in _FIXED.items():
        out[key] = date(year, month, day)
    return out


def festival_date(key: str, year: int) -> date:
    """The Gregorian date of festival ``key`` in ``year`` (1950–2100)."""
    _check_key(key)
    check_year(year)
    return _year_dates(year)[key]


def festivals_between(start: date, end: date) -> list[Festival]:
    """Festivals from ``start`` to ``end`` inclusive, by day then key.

    Years outside 1950–2100 have no festivals shown (a calendar page at the edge of the
    range still works).
    """
    if start > end:
        raise ValidationError("开始日期不能晚于结束日期", field="start")
    found: list[Festival] = []
    for year in range(max(start.year, MIN_YEAR), min(end.year, MAX_YEAR) + 1):
        for key, day in _year_dates(year).items():
            if start <= day <= end:
                found.append(Festival(key, FESTIVAL_NAMES[key], day, key in TRADITIONAL))
    found.sort(key=lambda f: (f.day, f.key))
    return found


def next_festival_date(key: str, today: date) -> date:
    """This year's date of the festival if it is today or later, else next year's."""
    this_year = festival_date(key, today.year)
    return this_year if today <= this_year else festival_date(key, today.year + 1)


@cache
def _templates() -> tuple[FestivalTemplate, ...]:
    data = load_json("festival_templates.json")
    out = []
    for row in data["templates"]:
        hour, minute = (int(part) for part in row["start"].split(":"))
        out.append(FestivalTemplate(
            festival=row["festival"],
            title=row["title"],
            service_item=row["service_item"],
            start=time(hour, minute),
            minutes=int(row["minutes"]),
            place=row["place"],
            volunteers_needed=int(row["volunteers_needed"]),
            description=row["description"],
        ))
    order = list(FESTIVAL_NAMES)
    out.sort(key=lambda t: order.index(t.festival))
    return tuple(out)


def festival_templates() -> list[FestivalTemplate]:
    """The “我们的节日” activity templates, one per festival, in calendar order."""
    return list(_templates())


def festival_template(key: str) -> FestivalTemplate:
    _check_key(key)
    for template in _templates():
        if template.festival == key:
            return template
    raise ValidationError(_("“{n}”没有活动模板").format(n=FESTIVAL_NAMES[key]), field="festival")

