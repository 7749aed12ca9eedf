"""The matching overview (总览): what a station head checks every Monday.

Unmet needs by key group and service category, the share of needs matched, the needs that have
waited longest, the count of needs per status, and the households whose visit is overdue. All
figures come from a handful of grouped queries and are handed out as plain dataclasses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models import KeyGroup, Need, Recipient, ServiceItem, recipient_key_groups
from .auth import Actor, Permission, require
from .catalogue import Category
from .needs import UNMET, URGENCIES, NeedStatus
from .recipients import OverdueVisit, overdue_visits

LONGEST_OPEN_LIMIT = 10
FREE_TEXT = None  # the category "column" of needs written in free text (nothing on the menu fitted)
MATCHED_OR_DONE = (NeedStatus.MATCHED.value, NeedStatus.DONE.value)


@dataclass(frozen=True)
class CategoryColumn:
    code: str | None  # a Category value, or None for free-text needs
    label: str


@dataclass(frozen=True)
class UnmetRow:
    """One row of the key group × category table."""

    key_group_id: int | None  # None for the 合计 row and the "no key group" row
    label: str
    counts: dict[str | None, int]  # category code (None: free text) -> unmet needs
    total: int
    is_total: bool = False
    retired: bool = False


@dataclass(frozen=True)
class OpenNeed:
    need_id: int
    recipient_id: int
    recipient_name: str
    what: str
    category_label: str
    urgency: str
    urgency_label: str
    status: NeedStatus
    raised_on: date
    days_open: int


@dataclass(frozen=True)
class Overview:
    today: date
    status_counts: dict[NeedStatus, int]  # every status, in workflow order
    columns: list[CategoryColumn]
    unmet_by_group: list[UnmetRow]  # key groups, then "不属于重点对象", then the 合计 row
    longest_open: list[OpenNeed]
    overdue_visits: list[OverdueVisit] = field(default_factory=list)

    @property
    def unmet_total(self) -> int:
        return sum(self.status_counts[s] for s in UNMET)

    @property
    def matched_count(self) -> int:
        """Needs that reached 已对接 or 已完成."""
        return self.status_counts[NeedStatus.MATCHED] + self.status_counts[NeedStatus.DONE]

    @property
    def not_closed_count(self) -> int:
        """Every need except the closed ones (the base of the matched share)."""
        return sum(n for s, n in self.status_counts.items() if s != NeedStatus.CLOSED)

    @property
    def matched_share(self) -> float | None:
        """matched_count / not_closed_count; None when there is no need yet."""
        return self.matched_count / self.not_closed_count if self.not_closed_count else None


def station_overview(session: Session, actor: Actor, today: date) -> Overview:
    require(actor, Permission.VIEW)
    columns = [CategoryColumn(c.value, c.label) for c in Category] + [CategoryColumn(FREE_TEXT, _("自填需求"))]
    return Overview(
        today=today,
        status_counts=_status_counts(session, actor),
        columns=columns,
        unmet_by_group=_unmet_by_group(session, actor, columns),
        longest_open=_longest_open(session, actor, today),
        overdue_visits=overdue_visits(session, actor, today),
    )


def _status_counts(session: Session, actor: Actor) -> dict[NeedStatus, int]:
    rows = session.execute(
        select(Need.status, func.count()).where(Need.station_id == actor.station_id).group_by(Need.status)
    )
    found = {s: n for s, n in rows}
    return {s: found.get(s.value, 0) for s in NeedStatus}


def _unmet_by_group(session: Session, actor: Actor, columns: list[CategoryColumn]) -> list[UnmetRow]:
    unmet = Need.status.in_([s.value for s in UNMET])
    station = Need.station_id == actor.station_id
    category = ServiceItem.category

    # Per key group: a recipient in two groups counts under both.
    per_group: dict[int, dict[str | None, int]] = defaultdict(dict)
    query = (
        select(recipient_key_groups.c.key_group_id, category, func.count(Need.id))
        .select_from(Need)
        .join(recipient_key_groups, recipient_key_groups.c.recipient_id == Need.recipient_id)
        .outerjoin(ServiceItem, ServiceItem.id == Need.service_item_id)
        .where(station, unmet)
        .group_by(recipient_key_groups.c.key_group_id, category)
    )
    for group_id, code, n in session.execute(query):
        per_group[group_id][code] = n

    # Recipients in no key group at all.
    in_some_group = select(recipient_key_groups.c.recipient_id).where(
        recipient_key_groups.c.recipient_id == Need.recipient_id
    ).exists()
    no_group: dict[str | None, int] = {}
    query = (
        select(category, func.count(Need.id))
        .select_from(Need)
        .outerjoin(ServiceItem, ServiceItem.id == Need.service_item_id)
        .where(station, unmet, ~in_some_group)
        .group_by(category)
    )
    for code, n in session.execute(query):
        no_group[code] = n

    # The total row: each need once.
    totals: dict[str | None, int] = {}
    query = (
        select(category, func.count(Need.id))
        .select_from(Need)
        .outerjoin(ServiceItem, ServiceItem.id == Need.service_item_id)
        .where(station, unmet)
        .group_by(category)
    )
    for code, n in session.execute(query):
        totals[code] = n

    def row(group_id: int | None, label: str, counts: dict[str | None, int], **flags: bool) -> UnmetRow:
        full = {c.code: counts.get(c.code, 0) for c in columns}
        return UnmetRow(group_id, label, full, sum(full.values()), **flags)

    rows = []
    groups = session.execute(
        select(KeyGroup.id, KeyGroup.name, KeyGroup.active)
        .where(KeyGroup.station_id == actor.station_id)
        .order_by(KeyGroup.sort_order, KeyGroup.id)
    )
    for group_id, name, active in groups:
        # A retired group is listed only while its households still have unmet needs.
        if active or per_group.get(group_id):
            label = name if active else _("{n}（已停用）").format(n=name)
            rows.append(row(group_id, label, per_group.get(group_id, {}), retired=not active))
    rows.append(row(None, _("不属于重点对象"), no_group))
    rows.append(row(None, _("合计（每条需求计一次）"), totals, is_total=True))
    return rows


def _longest_open(session: Session, actor: Actor, today: date) -> list[OpenNeed]:
    query = (
        select(
            Need.id, Need.recipient_id, Recipient.name, ServiceItem.name, ServiceItem.category, Need.free_text,
            Need.urgency, Need.status, Need.raised_on,
        )
        .join(Recipient, Recipient.id == Need.recipient_id)
        .outerjoin(ServiceItem, ServiceItem.id == Need.service_item_id)
        .where(Need.station_id == actor.station_id, Need.status.in_([s.value for s in UNMET]))
        .order_by(Need.raised_on, Need.id)
        .limit(LONGEST_OPEN_LIMIT)
    )
    return [
        OpenNeed(
            need_id=need_id,
            recipient_id=recipient_id,
            recipient_name=recipient_name,
            what=item_name if item_name is not None else free_text,
            category_label=Category(code).label if code else _("自填需求"),
            urgency=urgency,
            urgency_label=URGENCIES.get(urgency, urgency),
            status=NeedStatus(status),
            raised_on=raised_on,
            days_open=(today - raised_on).days,
        )
        for need_id, recipient_id, recipient_name, item_name, code, free_text, urgency, status, raised_on
        in session.execute(query)
    ]


