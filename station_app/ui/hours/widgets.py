"""Small widgets the 时长录入 pages share: quarter-hour boxes, choice combos, times of a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ...i18n import _
from ...services import ledger as svc
from ..qt import QComboBox, QDoubleSpinBox, QTime, QTimeEdit
from ..training.sessions import minutes_of, time_edit

__all__ = ["choice_combo", "entered_text", "hours_spin", "minutes_of", "set_time", "span_of", "time_edit"]


def hours_spin() -> QDoubleSpinBox:
    """Service hours in quarter hours (0.25), up to a day."""
    box = QDoubleSpinBox()
    box.setDecimals(2)
    box.setSingleStep(0.25)
    box.setRange(0, svc.DAY_MINUTES / 60)
    box.setSuffix(_(" 小时"))
    return box


def choice_combo(labels: dict[str, str], current: str) -> QComboBox:
    combo = QComboBox()
    for value, label in labels.items():
        combo.addItem(label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def set_time(edit: QTimeEdit, moment: datetime) -> None:
    edit.setTime(QTime(moment.hour, moment.minute))


def span_of(day: date, start: QTimeEdit, end: QTimeEdit, *, next_day_allowed: bool = False) -> tuple[datetime, datetime]:
    """The times typed for ``day``; an end at or before the start is the next morning when allowed."""
    starts_at = datetime.combine(day, start.time().toPython())
    ends_at = datetime.combine(day, end.time().toPython())
    if next_day_allowed and ends_at <= starts_at:
        ends_at += timedelta(days=1)
    return starts_at, ends_at


def entered_text(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"
