"""Days and times as station staff read them, written one way on every screen, printout and command."""

from __future__ import annotations

from datetime import datetime

from ..i18n import _

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


def when_text(starts_at: datetime, ends_at: datetime) -> str:
    """"2026-12-05（周六）09:00–11:30"; a span over midnight names both days."""
    day = f"{starts_at:%Y-%m-%d}（{WEEKDAYS[starts_at.weekday()]}）"
    if ends_at.date() == starts_at.date():
        return f"{day}{starts_at:%H:%M}–{ends_at:%H:%M}"
    return f"{day}{starts_at:%H:%M} – {ends_at:%Y-%m-%d %H:%M}"
