"""The service ledger (台账) and what rests on it: service records with their corrections and
approvals, star-level awards, honours (嘉许), time-bank redemptions (回馈), and the signed
checkpoints that anchor the ledger outside the database.

Evidence is append-only. Every row of ``service_records``, ``star_awards``, ``honours`` and
``time_bank_entries`` is a link of one hash chain per station: it carries its position
(``seq``), the previous link's hash and its own hash over its content (see
``services/chain.py``). Nothing in those columns is ever updated or deleted by the program; a
mistake is fixed by appending a correction, a decision or a reversal.

Service hours are counted in minutes (quarter hours in practice). ``delta_minutes`` is what a
row adds to the volunteer's counted hours at the moment it is appended, so every total (star
levels, balances, yearly and per-category sums) is one ``SUM(delta_minutes)``:

- a record that counts at once adds its minutes; one that waits for approval adds 0;
- a correction request adds 0; the decision approving it adds new minus old;
- a decision approving a waiting record adds its minutes; a rejection adds 0.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

HASH_LENGTH = 64  # hex SHA-256


class ChainHead(Base):
    """The last link of a station's chain: its position and hash. Appending locks this row."""

    __tablename__ = "chain_heads"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class ChainedMixin:
    """Columns of a chain link; their values are set by ``chain.append`` and never changed."""

    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    entry_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class ServiceRecord(ChainedMixin, Base):
    """One line of the service ledger: a record, a correction of a record, or a decision on either.

    ``kind``:
    - ``record``: service done (《志愿服务记录办法》: who, what, where, when, how long, how well,
      organiser, recorder, when entered);
    - ``correction``: new values for the record ``target_id`` points at, with a reason;
    - ``decision``: an administrator approves or rejects the record or correction ``target_id``.
    """

    __tablename__ = "service_records"
    __table_args__ = (
        UniqueConstraint("station_id", "seq"),
        Index("ix_service_records_volunteer_date", "volunteer_id", "service_date"),
        # Covers every station's "SUM(delta_minutes) GROUP BY volunteer" (star levels, balances).
        Index("ix_service_records_station_volunteer_delta", "station_id", "volunteer_id", "delta_minutes"),
        Index("ix_service_records_station_date", "station_id", "service_date"),
        # Only corrections and decisions have a target: a partial index stays small, and its
        # statistics (after ANALYZE) do not count the records' NULLs against it.
        Index(
            "ix_service_records_target",
            "target_id",
            sqlite_where=text("target_id IS NOT NULL"),
            postgresql_where=text("target_id IS NOT NULL"),
        ),
        Index("ix_service_records_activity", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    kind: Mapped[str] = mapped_column(String(12))  # record / correction / decision
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    # What was done: the activity (and its assignment), the menu item and its category, or free text.
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    content: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(50), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    # Whom it served: a registered household, or a name typed in (业主互助 between neighbours).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    served_person: Mapped[str] = mapped_column(String(100), default="")
    organiser: Mapped[str] = mapped_column(String(100), default="")
    # The station's wall-clock time, naive, like activities. A correction keeps the record's date.
    service_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    attendance: Mapped[str] = mapped_column(String(12), default="")  # present / late ('' on decisions)
    evaluation: Mapped[str] = mapped_column(String(12), default="")  # excellent / good / pass / improve
    evaluation_note: Mapped[str] = mapped_column(Text, default="")
    # A record or correction entered over the station's limit waits for an administrator.
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str] = mapped_column(String(12), default="")  # approved / rejected (decisions only)
    reason: Mapped[str] = mapped_column(Text, default="")  # why a correction, or the decision's note
    delta_minutes: Mapped[int] = mapped_column(Integer, default=0)
    recorder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorder_name: Mapped[str] = mapped_column(String(50))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StarAward(ChainedMixin, Base):
    """A confirmed star level (星级认定): the level the hours reached, confirmed by staff.

    The review columns are not evidence but the state of a review: a correction that takes the
    volunteer's hours below a confirmed level flags the award (it is never deleted).
    """

    __tablename__ = "star_awards"
    __table_args__ = (
        UniqueConstraint("station_id", "seq"),
        Index("ix_star_awards_volunteer", "volunteer_id", "level"),
        Index("ix_star_awards_station_confirmed", "station_id", "confirmed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    level: Mapped[int] = mapped_column(Integer)  # 1–5 stars
    minutes_at_award: Mapped[int] = mapped_column(Integer)
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    confirmed_on: Mapped[date] = mapped_column(Date)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_by_name: Mapped[str] = mapped_column(String(50))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # '' (in force) / flagged (hours fell below the level) / kept / revoked, set by a review.
    review_status: Mapped[str] = mapped_column(String(12), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HonourTitle(Base):
    """An honour title the station awards (年度优秀志愿者, 优秀服务队 …): configurable data."""

    __tablename__ = "honour_titles"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    name: Mapped[str] = mapped_column(String(50))
    target_kind: Mapped[str] = mapped_column(String(12))  # volunteer / team / project
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Honour(ChainedMixin, Base):
    """An honour (嘉许) awarded to a volunteer, a team or a project."""

    __tablename__ = "honours"
    __table_args__ = (UniqueConstraint("station_id", "seq"), Index("ix_honours_station_on", "station_id", "awarded_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    title_id: Mapped[int] = mapped_column(ForeignKey("honour_titles.id"))
    title: Mapped[str] = mapped_column(String(50))  # the title's name when awarded
    target_kind: Mapped[str] = mapped_column(String(12))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    target_name: Mapped[str] = mapped_column(String(100))
    awarded_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(100))
    citation: Mapped[str] = mapped_column(Text, default="")
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    recorder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorder_name: Mapped[str] = mapped_column(String(50))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TimeBankEntry(ChainedMixin, Base):
    """A time-bank transaction (回馈): hours exchanged for a community service, or its reversal.

    Its postings (``time_bank_postings``) move the minutes between the volunteer's account and
    the station's, and always sum to zero.
    """

    __tablename__ = "time_bank_entries"
    __table_args__ = (
        UniqueConstraint("station_id", "seq"),
        Index("ix_time_bank_entries_volunteer", "volunteer_id", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    kind: Mapped[str] = mapped_column(String(12))  # redeem / reversal
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("time_bank_entries.id"), unique=True)
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    service_name: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    minutes: Mapped[int] = mapped_column(Integer)  # always positive; the postings carry the sign
    provider: Mapped[str] = mapped_column(String(100), default="")  # who provided the service
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    # One click, one redemption: the dialog's token; a second save with it is refused.
    request_token: Mapped[str] = mapped_column(String(40), unique=True)
    recorder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorder_name: Mapped[str] = mapped_column(String(50))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TimeBankPosting(Base):
    """One side of a time-bank entry: ``account`` is ``volunteer`` or ``station``; minutes are signed."""

    __tablename__ = "time_bank_postings"
    __table_args__ = (Index("ix_time_bank_postings_volunteer", "volunteer_id", "account"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("time_bank_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(12))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    minutes: Mapped[int] = mapped_column(Integer)


class StationKey(Base):
    """The station's Ed25519 public key; the private key is kept wrapped per administrator."""

    __tablename__ = "station_keys"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StationKeyShare(Base):
    """The station's private key, encrypted with one administrator's password (PKCS#8 PEM)."""

    __tablename__ = "station_key_shares"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    encrypted_private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerCheckpoint(Base):
    """A signed checkpoint: the chain had ``count`` links ending in ``head_hash`` on ``made_on``."""

    __tablename__ = "ledger_checkpoints"
    __table_args__ = (UniqueConstraint("station_id", "count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    count: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    made_on: Mapped[date] = mapped_column(Date)
    signature: Mapped[str] = mapped_column(String(128))  # hex Ed25519 signature
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
