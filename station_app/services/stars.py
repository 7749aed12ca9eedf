"""Star levels (星级, §三.6): who has reached which level, confirming it (认定), and reviews.

The level is computed, never typed: ``hours.star_level`` of the volunteer's counted minutes
(corrections applied, training excluded, redemptions not subtracted). A confirmation
(``StarAward``) records that staff checked it, on a date, with a certificate number; it is
appended to the evidence chain and never deleted. When a correction takes the hours below a
confirmed level, ``hours.flag_awards_below`` flags the award and a person keeps or revokes it here.

Only 已注册 volunteers are listed and confirmed. Every list is one SQL query: the per-volunteer
``SUM(delta_minutes)`` grouped in the database and joined to the volunteers, so it stays fast at
200,000 volunteers and 5,000,000 ledger rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import ServiceRecord, StarAward, Station, Volunteer, utcnow
from . import audit, chain
from .auth import Actor, Permission, require
from .hours import (
    IN_FORCE,
    MAX_LEVEL,
    STAR_THRESHOLDS,
    counted_for,
    counted_minutes,
    hours_text,
    level_name,
    next_threshold,
    star_level,
    stars_text,
)
from .records import like_escape, load_for_station
from .validation import clean_text
from .volunteers import Status, search_condition

REGISTERED = Status.REGISTERED.value
REVIEW_LABELS = {"": _("有效"), "flagged": _("待复核"), "kept": _("复核后保留"), "revoked": _("已撤销")}
MAX_NOTE = 500
PAGE_SIZE = 500


# --- certificate numbers ---------------------------------------------------------------------------
def certificate_number(session: Session, station_id: int, model: type, mark: str, year: int) -> str:
    """The next certificate number of the year, ``{station code}-{mark}{year}-{n:04d}``.

    Takes the station's chain-head lock first (the lock ``chain.append`` takes, held until
    commit), so two staff confirming at once get consecutive numbers, never the same one. Rows
    are never deleted, so counting the year's numbers gives the next one.
    """
    chain.lock_head(session, station_id)
    code = session.scalar(select(Station.code).where(Station.id == station_id)) or ""
    prefix = f"{code}-{mark}{year}-"
    issued = session.scalar(
        select(func.count()).select_from(model).where(
            model.station_id == station_id, model.certificate_no.like(f"{like_escape(prefix)}%", escape="\\")
        )
    )
    return f"{prefix}{(issued or 0) + 1:04d}"


# --- rows the screens get -------------------------------------------------------------------------
class StarRow(NamedTuple):
    """One volunteer on the overview: counted hours, the level they give and the level confirmed.

    A named tuple: the overview may build 200,000 of them, and a tuple is the cheapest to make.
    """

    volunteer_id: int
    name: str
    volunteer_no: str
    minutes: int
    level: int  # computed from the hours
    confirmed_level: int  # highest award in force; 0 if none

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)

    @property
    def stars(self) -> str:
        return stars_text(self.level)

    @property
    def confirmed_text(self) -> str:
        return level_name(self.confirmed_level) if self.confirmed_level else _("未认定")

    @property
    def to_next_minutes(self) -> int | None:
        """Minutes still needed for the next star; None at five stars."""
        threshold = next_threshold(self.minutes)
        return None if threshold is None else threshold - self.minutes

    @property
    def to_next_text(self) -> str:
        left = self.to_next_minutes
        if left is None:
            return _("已达最高星级")
        return _("还差 {h} 小时达{lv}").format(h=hours_text(left), lv=level_name(self.level + 1))

    @property
    def newly_eligible(self) -> bool:
        return self.level > self.confirmed_level


@dataclass(frozen=True)
class StarOverview:
    rows: list[StarRow]
    total: int  # matching volunteers, all pages
    offset: int
    limit: int | None


@dataclass(frozen=True)
class AwardRow:
    id: int
    volunteer_id: int
    name: str
    volunteer_no: str
    level: int
    certificate_no: str
    confirmed_on: date
    confirmed_by_name: str
    minutes_at_award: int
    review_status: str
    review_note: str
    reviewed_at: datetime | None
    minutes_now: int = 0

    @property
    def level_text(self) -> str:
        return level_name(self.level)

    @property
    def status_label(self) -> str:
        return REVIEW_LABELS.get(self.review_status, self.review_status)

    @property
    def level_now(self) -> int:
        return star_level(self.minutes_now)


# --- the shared query ----------------------------------------------------------------------------
def _level_case(minutes):
    """``hours.star_level`` in SQL (same thresholds), for filtering and grouping in the database."""
    whens = [(minutes >= threshold, level) for level, threshold in reversed(list(enumerate(STAR_THRESHOLDS, 1)))]
    return case(*whens, else_=0)


def _overview_select(actor: Actor) -> tuple[Select, object, object, object]:
    """Registered volunteers with their counted minutes, level and highest in-force award (one query)."""
    totals = (
        select(ServiceRecord.volunteer_id.label("vid"), func.sum(ServiceRecord.delta_minutes).label("minutes"))
        .where(ServiceRecord.station_id == actor.station_id)
        .group_by(ServiceRecord.volunteer_id)
        .subquery("totals")
    )
    awarded = (
        select(StarAward.volunteer_id.label("vid"), func.max(StarAward.level).label("level"))
        .where(StarAward.station_id == actor.station_id, StarAward.review_status.in_(IN_FORCE))
        .group_by(StarAward.volunteer_id)
        .subquery("awarded")
    )
    minutes = func.coalesce(totals.c.minutes, 0)
    level = _level_case(minutes)
    confirmed = func.coalesce(awarded.c.level, 0)
    query = (
        select(Volunteer.id, Volunteer.name, Volunteer.volunteer_no, minutes.label("minutes"), confirmed.label("confirmed"))
        .select_from(Volunteer)
        .outerjoin(totals, totals.c.vid == Volunteer.id)
        .outerjoin(awarded, awarded.c.vid == Volunteer.id)
        .where(Volunteer.station_id == actor.station_id, Volunteer.status == REGISTERED)
    )
    return query, minutes, level, confirmed


def _star_row(row) -> StarRow:
    minutes = int(row[3] or 0)
    return StarRow(row[0], row[1], row[2] or "", minutes, star_level(minutes), int(row[4] or 0))


def star_overview(
    session: Session, actor: Actor, *, search: str = "", level: int | None = None, offset: int = 0,
    limit: int | None = PAGE_SIZE,
) -> StarOverview:
    """Registered volunteers by counted hours (most first): hours, computed level, confirmed level.

    ``search`` is the roster's search (name, pinyin initials, volunteer number …); ``level`` keeps
    one computed level (0: not yet a star). ``limit=None`` returns every match.
    """
    require(actor, Permission.VIEW)
    query, minutes, level_expr, _confirmed = _overview_select(actor)
    condition = search_condition(search)
    if condition is not None:
        query = query.where(condition)
    if level is not None:
        query = query.where(level_expr == level)
    query = query.order_by(minutes.desc(), Volunteer.id)
    if limit is None and not offset:  # everyone: the count is the length
        rows = [_star_row(r) for r in _fetch_all(session, query)]
        return StarOverview(rows, len(rows), 0, None)
    query = query.add_columns(func.count().over().label("total")).offset(offset).limit(limit)
    result = session.execute(query).all()
    total = int(result[0][-1]) if result else (_count_only(session, actor, search, level) if offset else 0)
    return StarOverview([_star_row(r) for r in result], total, offset, limit)


def _fetch_all(session: Session, query: Select) -> list[tuple]:
    """Every row straight off the DBAPI cursor: up to 200,000 rows, without per-row Result processing."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _count_only(session: Session, actor: Actor, search: str, level: int | None) -> int:
    """How many match, when the page asked for lies past the end."""
    query, _minutes, level_expr, _confirmed = _overview_select(actor)
    condition = search_condition(search)
    if condition is not None:
        query = query.where(condition)
    if level is not None:
        query = query.where(level_expr == level)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def level_distribution(session: Session, actor: Actor) -> dict[int, int]:
    """Registered volunteers per computed level, 0 (no star yet) to 5; every level present."""
    require(actor, Permission.VIEW)
    query, _minutes, level_expr, _confirmed = _overview_select(actor)
    levels = query.add_columns(level_expr.label("level")).subquery()
    counts = {lv: 0 for lv in range(MAX_LEVEL + 1)}
    for lv, n in session.execute(select(levels.c.level, func.count()).group_by(levels.c.level)):
        counts[int(lv)] = int(n)
    return counts


def _pending_review(actor: Actor):
    return select(StarAward.volunteer_id).where(
        StarAward.station_id == actor.station_id, StarAward.review_status == "flagged"
    )


def newly_eligible(session: Session, actor: Actor) -> list[StarRow]:
    """Registered volunteers whose hours give a higher level than any award of theirs in force.

    One row per volunteer, with the highest level reached: someone who jumped two levels since
    their last confirmation is confirmed at the new level only; the levels in between need not
    be awarded separately. A volunteer with an award awaiting review (待复核) is left out until
    the review is done, so a level is not confirmed on top of an undecided one.
    """
    require(actor, Permission.VIEW)
    query, minutes, level_expr, confirmed = _overview_select(actor)
    query = query.where(level_expr > confirmed, Volunteer.id.notin_(_pending_review(actor)))
    return [_star_row(r) for r in _fetch_all(session, query.order_by(minutes.desc(), Volunteer.id))]


# --- confirming ----------------------------------------------------------------------------------
def _check_confirmable(session: Session, volunteer: Volunteer, level: int, minutes: int) -> None:
    if volunteer.status != REGISTERED:
        raise ValidationError(
            _("只能为已注册的志愿者认定星级：{n} 当前状态为“{s}”。").format(n=volunteer.name, s=Status(volunteer.status).label),
            field="volunteer",
        )
    if star_level(minutes) < level:
        raise ValidationError(
            _("{n} 的累计服务时长为 {h} 小时，未达{lv}所需的 {t} 小时，不能认定。").format(
                n=volunteer.name, h=hours_text(minutes), lv=level_name(level), t=hours_text(STAR_THRESHOLDS[level - 1])
            ),
            field="level",
        )
    held = session.scalar(
        select(func.max(StarAward.level)).where(
            StarAward.volunteer_id == volunteer.id, StarAward.review_status.in_(IN_FORCE)
        )
    )
    if held is not None and held >= level:
        raise ValidationError(
            _("{n} 已认定为{held}，不能再认定{lv}。").format(n=volunteer.name, held=level_name(held), lv=level_name(level)),
            field="level",
        )
    flagged = session.scalar(
        select(StarAward.certificate_no).where(StarAward.volunteer_id == volunteer.id, StarAward.review_status == "flagged")
    )
    if flagged:
        raise ValidationError(
            _("{n} 的星级认定（证书 {no}）正待复核，请先在“待复核”中保留或撤销，再认定新的星级。").format(
                n=volunteer.name, no=flagged
            ),
            field="level",
        )


def confirm_award(session: Session, actor: Actor, volunteer_id: int, level: int, on: date) -> AwardRow:
    """Confirm (认定) ``level`` for a volunteer whose hours reach it now; returns the award with its certificate.

    Refused (nothing written) when the hours do not reach the level, an award of that level or
    higher is in force, another award awaits review, or the volunteer is not 已注册.
    """
    require(actor, Permission.CONFIRM_AWARDS)
    if not 1 <= level <= MAX_LEVEL:
        raise ValidationError(_("星级应为一至五星级。"), field="level")
    if on is None:
        raise ValidationError(_("请填写认定日期。"), field="on")
    if on > date.today():
        raise ValidationError(_("认定日期不能晚于今天。"), field="on")
    # The chain lock first: a second confirmation of the same volunteer waits here, then sees the first.
    number = certificate_number(session, actor.station_id, StarAward, "XJ", on.year)
    volunteer = load_for_station(session, actor, Volunteer, volunteer_id, _("找不到这名志愿者。"))
    minutes = counted_for(session, actor.station_id, volunteer_id)
    _check_confirmable(session, volunteer, level, minutes)
    award = StarAward(
        volunteer_id=volunteer_id, level=level, minutes_at_award=minutes, certificate_no=number, confirmed_on=on,
        confirmed_by_id=actor.user_id, confirmed_by_name=actor.display_name, review_status="", review_note="",
    )
    chain.append(session, actor.station_id, award)
    audit.record(
        session, actor, "confirm", "star_award", award.id,
        summary=_("星级认定：{n}（{no}）{lv}，证书 {c}").format(
            n=volunteer.name, no=volunteer.volunteer_no or "", lv=level_name(level), c=number
        ),
        changes={"level": [None, level], "certificate_no": [None, number]},
    )
    return _award_row(award, volunteer, minutes)


def confirm_all(session: Session, actor: Actor, volunteer_ids: Sequence[int], on: date) -> list[AwardRow]:
    """Confirm each volunteer at the level their hours give now, in one unit of work.

    If one is refused, the whole batch is (the caller's unit of work rolls back); the message
    names that volunteer.
    """
    require(actor, Permission.CONFIRM_AWARDS)
    ids = list(dict.fromkeys(volunteer_ids))
    if not ids:
        raise ValidationError(_("请先勾选要认定的志愿者。"), field="volunteers")
    minutes = counted_minutes(session, actor.station_id, ids)
    return [confirm_award(session, actor, vid, star_level(minutes.get(vid, 0)) or 1, on) for vid in ids]


# --- reviews -------------------------------------------------------------------------------------
def _award_row(award: StarAward, volunteer: Volunteer, minutes_now: int = 0) -> AwardRow:
    return AwardRow(
        award.id, award.volunteer_id, volunteer.name, volunteer.volunteer_no or "", award.level, award.certificate_no,
        award.confirmed_on, award.confirmed_by_name, award.minutes_at_award, award.review_status or "",
        award.review_note or "", award.reviewed_at, minutes_now,
    )


def _award_rows(session: Session, actor: Actor, query: Select) -> list[AwardRow]:
    pairs = session.execute(query.join(Volunteer, Volunteer.id == StarAward.volunteer_id)).all()
    minutes = counted_minutes(session, actor.station_id, {a.volunteer_id for a, _v in pairs})
    return [_award_row(a, v, minutes.get(a.volunteer_id, 0)) for a, v in pairs]


def flagged_awards(session: Session, actor: Actor) -> list[AwardRow]:
    """Awards flagged because a correction took the hours below their level (待复核), oldest first."""
    require(actor, Permission.VIEW)
    query = (
        select(StarAward, Volunteer)
        .where(StarAward.station_id == actor.station_id, StarAward.review_status == "flagged")
        .order_by(StarAward.confirmed_on, StarAward.id)
    )
    return _award_rows(session, actor, query)


def review_award(session: Session, actor: Actor, award_id: int, keep: bool, note: str) -> None:
    """Decide a flagged award: keep it (保留) or revoke it (撤销), with a note saying why."""
    require(actor, Permission.CONFIRM_AWARDS)
    award = load_for_station(session, actor, StarAward, award_id, _("找不到这条星级认定。"), for_update=True)
    text = clean_text(note, label=_("复核说明"), field="note", max_len=MAX_NOTE)
    if not text:
        raise ValidationError(_("请填写复核说明：为什么保留或撤销这条认定。"), field="note")
    if award.review_status != "flagged":
        raise StationError(
            _("证书 {c} 的认定不在待复核状态（现为“{s}”），无需复核。").format(
                c=award.certificate_no, s=REVIEW_LABELS.get(award.review_status, award.review_status)
            )
        )
    status = "kept" if keep else "revoked"
    before = (award.review_status, award.review_note)
    award.review_status, award.review_note, award.reviewed_at = status, text, utcnow()
    volunteer = session.get(Volunteer, award.volunteer_id)
    audit.record(
        session, actor, "review", "star_award", award.id,
        summary=_("星级认定复核：{n} {lv}（{c}）{s}").format(
            n=volunteer.name if volunteer else "", lv=level_name(award.level), c=award.certificate_no,
            s=REVIEW_LABELS[status],
        ),
        changes={"review_status": [before[0], status], "review_note": [before[1], text]},
    )


def volunteer_awards(session: Session, actor: Actor, volunteer_id: int) -> list[AwardRow]:
    """A volunteer's star awards, every review state, in the order confirmed (for the ledger views)."""
    require(actor, Permission.VIEW)
    load_for_station(session, actor, Volunteer, volunteer_id, _("找不到这名志愿者。"))
    query = (
        select(StarAward, Volunteer)
        .where(StarAward.station_id == actor.station_id, StarAward.volunteer_id == volunteer_id)
        .order_by(StarAward.confirmed_on, StarAward.seq)
    )
    return _award_rows(session, actor, query)


def find(session: Session, actor: Actor, volunteer_id: int) -> StarRow:
    """One registered volunteer's line of the overview."""
    require(actor, Permission.VIEW)
    query, _m, _l, _c = _overview_select(actor)
    row = session.execute(query.where(Volunteer.id == volunteer_id)).first()
    if row is None:
        raise NotFound(_("找不到这名已注册的志愿者。"))
    return _star_row(row)
