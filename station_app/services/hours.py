"""Counted service hours and star levels (§三.6): the arithmetic everything else shares.

Hours are kept in whole minutes and entered in quarter hours. A volunteer's counted minutes are
``SUM(delta_minutes)`` of their service-ledger rows (see ``models/ledger.py``): approved records,
corrections applied, rejected and waiting entries left out, training never included, and time-bank
redemptions never subtracted (they lower the balance, not the level).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models import ServiceRecord, StarAward
from . import audit
from .auth import Actor

QUARTER = 15  # minutes
# §三.6: 100 / 300 / 600 / 1000 / 1500 hours → one to five stars.
STAR_THRESHOLD_HOURS = (100, 300, 600, 1000, 1500)
STAR_THRESHOLDS = tuple(hours * 60 for hours in STAR_THRESHOLD_HOURS)
MAX_LEVEL = len(STAR_THRESHOLDS)
# Awards still in force: never reviewed, or reviewed and kept.
IN_FORCE = ("", "kept")


def star_level(minutes: int) -> int:
    """The star level cumulative service minutes give: 0 (none) to 5."""
    return bisect_right(STAR_THRESHOLDS, minutes)  # thresholds passed: 6000 → 1, 5999 → 0


def next_threshold(minutes: int) -> int | None:
    """Minutes the next star needs in total; None at five stars."""
    for threshold in STAR_THRESHOLDS:
        if minutes < threshold:
            return threshold
    return None


def stars_text(level: int) -> str:
    return "★" * level + "☆" * (MAX_LEVEL - level) if level else _("未达星级")


def level_name(level: int) -> str:
    return _("{n}星级志愿者").format(n="一二三四五"[level - 1]) if level else _("未达星级")


def hours_text(minutes: int) -> str:
    """Minutes as staff say hours: 150 → "2.5", 6000 → "100", 45 → "0.75", -30 → "-0.5"."""
    text = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def round_to_quarter(minutes: int) -> int:
    """Down to the quarter hour: 59 → 45, 60 → 60 (service time is never rounded up)."""
    return minutes // QUARTER * QUARTER


def counted_minutes(
    session: Session, station_id: int, volunteer_ids: Iterable[int] | None = None, *, until: date | None = None
) -> dict[int, int]:
    """Counted minutes per volunteer (volunteers with no rows are left out).

    ``until`` counts only service on or before that date (e.g. the end of a reporting period).
    """
    query = (
        select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.delta_minutes))
        .where(ServiceRecord.station_id == station_id)
        .group_by(ServiceRecord.volunteer_id)
    )
    if volunteer_ids is not None:
        ids = list(volunteer_ids)
        if not ids:
            return {}
        query = query.where(ServiceRecord.volunteer_id.in_(ids))
    if until is not None:
        query = query.where(ServiceRecord.service_date <= until)
    return {volunteer_id: int(total or 0) for volunteer_id, total in session.execute(query)}


def counted_for(session: Session, station_id: int, volunteer_id: int) -> int:
    return counted_minutes(session, station_id, [volunteer_id]).get(volunteer_id, 0)


def flag_awards_below(session: Session, actor: Actor, volunteer_id: int, reason: str) -> list[int]:
    """Flag for review every award in force above the level the volunteer's hours now give.

    Called in the same unit of work as the decision that lowered the hours. An award is never
    deleted: the flag asks a person to keep or revoke it. Returns the flagged award ids.
    """
    level = star_level(counted_for(session, actor.station_id, volunteer_id))
    awards = session.scalars(
        select(StarAward).where(
            StarAward.station_id == actor.station_id,
            StarAward.volunteer_id == volunteer_id,
            StarAward.level > level,
            StarAward.review_status.in_(IN_FORCE),
        )
    ).all()
    for award in awards:
        before = award.review_status
        award.review_status = "flagged"
        award.review_note = reason
        audit.record(
            session,
            actor,
            "flag",
            "star_award",
            award.id,
            summary=_("星级认定待复核：{no}（{lv}），更正后时长只够{now}").format(
                no=award.certificate_no, lv=level_name(award.level), now=level_name(level)
            ),
            changes={"review_status": [before, "flagged"]},
        )
    return [award.id for award in awards]


# --- ledger lines: a record with its corrections and decisions applied ---------------------------
@dataclass(frozen=True)
class CorrectionLine:
    id: int
    seq: int
    starts_at: datetime | None
    ends_at: datetime | None
    minutes: int
    reason: str
    recorder_name: str
    entered_at: datetime
    status: str  # pending / approved / rejected
    decided_by: str = ""
    decision_note: str = ""


@dataclass(frozen=True)
class LedgerLine:
    """A service record as the ledger shows it: current values, what counts, and its history."""

    record_id: int
    seq: int
    volunteer_id: int
    activity_id: int | None
    assignment_id: int | None
    service_item_id: int | None
    content: str
    category: str
    place: str
    served_person: str
    organiser: str
    service_date: date
    starts_at: datetime | None  # after the last approved correction
    ends_at: datetime | None
    minutes: int  # after the last approved correction
    original_minutes: int
    counted_minutes: int  # what this record adds to the volunteer's hours now
    status: str  # counted / pending / rejected / void
    attendance: str
    evaluation: str
    evaluation_note: str
    recorder_name: str
    entered_at: datetime
    corrections: tuple[CorrectionLine, ...] = ()

    @property
    def has_pending_correction(self) -> bool:
        return any(c.status == "pending" for c in self.corrections)


LINE_STATUS = {
    "counted": _("已计入"),
    "pending": _("待审批"),
    "rejected": _("未批准"),
    "void": _("已作废"),
}


def ledger_lines(
    session: Session,
    station_id: int,
    *,
    volunteer_ids: Iterable[int] | None = None,
    activity_id: int | None = None,
    record_ids: Iterable[int] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[LedgerLine]:
    """Service records with their corrections and decisions applied, in service-time order."""
    # Plain rows, not ORM objects: a busy volunteer's ledger is hundreds of lines, read often.
    table = ServiceRecord.__table__
    query = select(table).where(ServiceRecord.station_id == station_id, ServiceRecord.kind == "record")
    if volunteer_ids is not None:
        query = query.where(ServiceRecord.volunteer_id.in_(list(volunteer_ids)))
    if activity_id is not None:
        query = query.where(ServiceRecord.activity_id == activity_id)
    if record_ids is not None:
        query = query.where(ServiceRecord.id.in_(list(record_ids)))
    if date_from is not None:
        query = query.where(ServiceRecord.service_date >= date_from)
    if date_to is not None:
        query = query.where(ServiceRecord.service_date <= date_to)
    records = session.execute(query.order_by(ServiceRecord.service_date, ServiceRecord.starts_at, ServiceRecord.seq)).all()
    if not records:
        return []
    by_target: dict[int, list[Row]] = {}
    pending_ids = [r.id for r in records]
    while pending_ids:  # corrections and decisions on records, then decisions on corrections
        followers = []
        for chunk_start in range(0, len(pending_ids), 900):
            chunk = pending_ids[chunk_start : chunk_start + 900]
            followers.extend(session.execute(select(table).where(ServiceRecord.target_id.in_(chunk))))
        for row in followers:
            by_target.setdefault(row.target_id, []).append(row)
        pending_ids = [row.id for row in followers if row.kind == "correction"]
    return [_line(record, by_target) for record in records]


def _decision(row_id: int, by_target: dict[int, list[Row]]) -> Row | None:
    decisions = [r for r in by_target.get(row_id, []) if r.kind == "decision"]
    return max(decisions, key=lambda r: r.seq) if decisions else None


def _line(record: Row, by_target: dict[int, list[Row]]) -> LedgerLine:
    counted = record.delta_minutes
    starts_at, ends_at, minutes = record.starts_at, record.ends_at, record.minutes
    record_decision = _decision(record.id, by_target)
    if record_decision is not None:
        counted += record_decision.delta_minutes
    if record.needs_approval and record_decision is None:
        status = "pending"
    elif record_decision is not None and record_decision.decision == "rejected":
        status = "rejected"
    else:
        status = "counted"
    corrections = []
    for correction in sorted((r for r in by_target.get(record.id, []) if r.kind == "correction"), key=lambda r: r.seq):
        decision = _decision(correction.id, by_target)
        if decision is not None:
            counted += decision.delta_minutes
        state = "pending" if decision is None else decision.decision
        if state == "approved":
            starts_at, ends_at, minutes = correction.starts_at, correction.ends_at, correction.minutes
        corrections.append(
            CorrectionLine(
                correction.id, correction.seq, correction.starts_at, correction.ends_at, correction.minutes,
                correction.reason, correction.recorder_name, correction.entered_at, state,
                decision.recorder_name if decision else "", decision.reason if decision else "",
            )
        )
    if status == "counted" and minutes == 0:
        status = "void"
    return LedgerLine(
        record.id, record.seq, record.volunteer_id, record.activity_id, record.assignment_id,
        record.service_item_id, record.content, record.category, record.place, record.served_person,
        record.organiser, record.service_date, starts_at, ends_at, minutes, record.minutes, counted, status,
        record.attendance, record.evaluation, record.evaluation_note, record.recorder_name, record.entered_at,
        tuple(corrections),
    )
