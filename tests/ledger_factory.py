"""Service-ledger rows for tests of what reads the ledger, appended straight to the chain.

The hour-entry service (``services/ledger.py``) enforces the entry rules; these helpers skip them
so that tests of star levels, balances and ledger views can build any history they need.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from station_app.db import Database
from station_app.models import ServiceRecord
from station_app.services import chain
from station_app.services.auth import Actor


def add_record(
    db: Database, actor: Actor, volunteer_id: int, minutes: int, *, on: date | None = None, start: time = time(9, 0),
    content: str = "楼道清洁", category: str = "环境保护", place: str = "1栋", activity_id: int | None = None,
    needs_approval: bool = False,
) -> int:
    """One service record that counts at once (or waits, with ``needs_approval``); returns its id."""
    on = on or date.today() - timedelta(days=1)
    starts_at = datetime.combine(on, start)
    with db.session() as session:
        row = ServiceRecord(
            kind="record", volunteer_id=volunteer_id, activity_id=activity_id, content=content, category=category,
            place=place, organiser="测试站", service_date=on, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes), minutes=minutes, attendance="present",
            evaluation="good", needs_approval=needs_approval, delta_minutes=0 if needs_approval else minutes,
            recorder_id=actor.user_id, recorder_name=actor.display_name,
        )
        chain.append(session, actor.station_id, row)
        return row.id


def add_correction(db: Database, actor: Actor, record_id: int, minutes: int, reason: str = "录入有误") -> int:
    """An approved correction of ``record_id`` to ``minutes`` (correction and decision rows); returns the correction id."""
    with db.session() as session:
        record = session.get(ServiceRecord, record_id)
        assert record is not None and record.kind == "record"
        line = _current(session, actor, record_id)
        correction = ServiceRecord(
            kind="correction", volunteer_id=record.volunteer_id, target_id=record.id, content=record.content,
            category=record.category, place=record.place, organiser=record.organiser,
            service_date=record.service_date, starts_at=record.starts_at,
            ends_at=record.starts_at + timedelta(minutes=minutes) if record.starts_at else None, minutes=minutes,
            reason=reason, delta_minutes=0, recorder_id=actor.user_id, recorder_name=actor.display_name,
        )
        chain.append(session, actor.station_id, correction)
        decision = ServiceRecord(
            kind="decision", volunteer_id=record.volunteer_id, target_id=correction.id, content=record.content,
            category=record.category, service_date=record.service_date, decision="approved", reason="同意",
            delta_minutes=minutes - line.counted_minutes, recorder_id=actor.user_id, recorder_name=actor.display_name,
        )
        chain.append(session, actor.station_id, decision)
        return correction.id


def _current(session, actor: Actor, record_id: int):  # noqa: ANN001, ANN202
    from station_app.services.hours import ledger_lines

    [line] = ledger_lines(session, actor.station_id, record_ids=[record_id])
    return line


def pad_and_rebuild(db: Database, minutes: int = 600) -> None:
    """What a forger with the database file can do: pad the first record, recompute every hash after it
    and the head, and drop the stored checkpoints. The chain alone then verifies."""
    from sqlalchemy import select, text

    with db.session() as session:
        session.execute(text("DELETE FROM ledger_checkpoints"))
        rows = session.scalars(select(ServiceRecord).order_by(ServiceRecord.seq)).all()
        rows[0].minutes = rows[0].delta_minutes = minutes
        prev = chain.GENESIS
        for row in rows:
            row.prev_hash = prev
            row.entry_hash = prev = chain.link_hash(prev, chain.content_of(row))
        session.execute(text("UPDATE chain_heads SET head_hash = :h"), {"h": prev})
