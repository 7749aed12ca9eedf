"""Training (§三.3) and activity scheduling (§三.3–4): training sessions with enrolment and
attendance, activities with shifts and volunteer assignments, recurring series, and the
station's settings (such as the backbone rule).

Scheduled times (``starts_at`` / ``ends_at``) are the station's wall-clock time, stored naive:
an activity at 09:00 is at 09:00 wherever the database is opened. Timestamps of when something
was done (``created_at``, ``assigned_at`` …) stay aware UTC like everywhere else.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .volunteer import Skill


class StationSetting(Base):
    """A station's configurable value (e.g. the backbone rule), as text under a key."""

    __tablename__ = "station_settings"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TrainingSession(Base):
    """A training session (培训): 集中辅导, 座谈交流, 案例分析, 技能培训 or 岗前培训."""

    __tablename__ = "training_sessions"
    __table_args__ = (Index("ix_training_sessions_station_start", "station_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    # "coaching" 集中辅导 / "discussion" 座谈交流 / "case_study" 案例分析 / "skills" 技能培训 / "pre_service" 岗前培训.
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(100))
    trainer: Mapped[str] = mapped_column(String(50))
    place: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    # Training hours credited to who attended, in minutes (kept apart from service hours).
    credit_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    # "planned" 计划 / "held" 已举行 (attendance marked) / "cancelled" 已取消.
    status: Mapped[str] = mapped_column(String(16), default="planned")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    enrolments: Mapped[list[TrainingEnrolment]] = relationship(
        back_populates="session", order_by="TrainingEnrolment.id"
    )

    __mapper_args__ = {"version_id_col": version}


class TrainingEnrolment(Base):
    """A volunteer enrolled in a training session, and their attendance once it was held."""

    __tablename__ = "training_enrolments"
    __table_args__ = (UniqueConstraint("session_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # None until marked; then "present" 出席 / "late" 迟到 / "absent" 缺席.
    attendance: Mapped[str | None] = mapped_column(String(16))
    # Training minutes credited by this attendance (0 when absent).
    credited_minutes: Mapped[int] = mapped_column(Integer, default=0)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")


activity_skills = Table(
    "activity_skills",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id"), primary_key=True, index=True),
)

activity_recipients = Table(
    "activity_recipients",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("recipient_id", ForeignKey("recipients.id"), primary_key=True, index=True),
)


class ActivitySeries(Base):
    """The rule of a recurring activity (weekly patrol, monthly free clinic).

    Its occurrences are ordinary activities pointing here; each can be edited on its own.
    """

    __tablename__ = "activity_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    # "weekly" or "monthly".
    frequency: Mapped[str] = mapped_column(String(16))
    # Every N weeks / months.
    interval: Mapped[int] = mapped_column(Integer, default=1)
    # Weekly: bit per weekday (0 = Monday). Monthly: unused.
    weekdays: Mapped[int] = mapped_column(Integer, default=0)
    # Monthly: day of the month (1–31; months without it use their last day).
    month_day: Mapped[int | None] = mapped_column(Integer)
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Activity(Base):
    """A service activity (活动), §三.4: what, where, when, for whom, and who leads it."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_station_start", "station_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    # One of the six actions of §二 (from the menu item when there is one).
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    # Volunteers wanted in total (the sum of the shifts' capacities).
    volunteers_needed: Mapped[int] = mapped_column(Integer)
    # A training type every assigned volunteer must have attended (None: no requirement).
    required_training: Mapped[str | None] = mapped_column(String(20))
    lead_social_worker: Mapped[str] = mapped_column(String(50), default="")
    partner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    partner_org: Mapped[str] = mapped_column(String(100), default="")
    # "planned" 计划 / "in_progress" 进行中 / "done" 已完成 / "cancelled" 已取消.
    status: Mapped[str] = mapped_column(String(16), default="planned")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    series_id: Mapped[int | None] = mapped_column(ForeignKey("activity_series.id"), index=True)
    # True once this occurrence of a series was edited on its own.
    series_detached: Mapped[bool] = mapped_column(default=False)
    # "我们的节日": the festival key (e.g. "mid_autumn") and key group a template made it for.
    festival: Mapped[str | None] = mapped_column(String(32))
    key_group_id: Mapped[int | None] = mapped_column(ForeignKey("key_groups.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    skills: Mapped[list[Skill]] = relationship(secondary=activity_skills, order_by=Skill.name)
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="activity", order_by="Shift.starts_at, Shift.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Shift(Base):
    """A time slot of an activity (班次). Every activity has at least one."""

    __tablename__ = "activity_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(50), default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    capacity: Mapped[int] = mapped_column(Integer)

    activity: Mapped[Activity] = relationship(back_populates="shifts")


class Assignment(Base):
    """A volunteer assigned to a shift (排班).

    The shift's times are copied here so a volunteer's overlaps and recent hours are one
    indexed range query; they follow the shift when it moves.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("shift_id", "volunteer_id"),
        Index("ix_assignments_volunteer_start", "volunteer_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("activity_shifts.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    # "member" or "lead" (a backbone volunteer leading the shift).
    role: Mapped[str] = mapped_column(String(16), default="member")
    # "assigned" or "cancelled" (kept, with the reason).
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    # Soft warnings the user overrode when assigning, and their reason.
    warnings: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
