"""Demand side of the plan (§三.1–2): the service menu, recipients and their visits,
needs, projects designed from needs, and recruitment notices with their applications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
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

service_item_skills = Table(
    "service_item_skills",
    Base.metadata,
    Column("service_item_id", ForeignKey("service_items.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id"), primary_key=True, index=True),
)


class ServiceItem(Base):
    """One entry of the service menu (服务菜单). Retired items stay, so old needs keep their names."""

    __tablename__ = "service_items"
    __table_args__ = (UniqueConstraint("station_id", "category", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    # One of the six actions of §二: help, convenience, civility, safety, youth, culture.
    category: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    typical_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # "free" (无偿) or "low_cost" (低偿), §四(二)4.
    charge: Mapped[str] = mapped_column(String(16), default="free")
    # May a volunteer pay for this with time-bank hours (回馈, §三.6)?
    redeemable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its price in time-bank minutes when redeemable (default: its typical duration).
    redeem_minutes: Mapped[int | None] = mapped_column(Integer)
    # A training type (see services.training.TrainingKind) a volunteer must have attended
    # before serving this item, e.g. 健康义诊 needs 岗前培训; None: no requirement.
    required_training: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    skills: Mapped[list[Skill]] = relationship(secondary=service_item_skills, order_by=Skill.name)


class KeyGroup(Base):
    """A key group (重点对象) such as 空巢老人, with how often its households should be visited."""

    __tablename__ = "key_groups"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    name: Mapped[str] = mapped_column(String(50))
    # Visit at least every N days; None: no recurring visit rule.
    visit_interval_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


recipient_key_groups = Table(
    "recipient_key_groups",
    Base.metadata,
    Column("recipient_id", ForeignKey("recipients.id", ondelete="CASCADE"), primary_key=True),
    Column("key_group_id", ForeignKey("key_groups.id"), primary_key=True, index=True),
)


class Recipient(Base):
    """A resident who receives services (服务对象)."""

    __tablename__ = "recipients"
    __table_args__ = (Index("ix_recipients_station_initials", "station_id", "name_initials"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    name: Mapped[str] = mapped_column(String(50))
    name_initials: Mapped[str] = mapped_column(String(50))
    name_pinyin: Mapped[str] = mapped_column(String(300))
    gender: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    building: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    guardian_name: Mapped[str] = mapped_column(String(50), default="")
    guardian_relation: Mapped[str] = mapped_column(String(20), default="")
    guardian_phone: Mapped[str] = mapped_column(String(32), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # False once the resident moved away or passed away; kept with the reason, never deleted.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    key_groups: Mapped[list[KeyGroup]] = relationship(secondary=recipient_key_groups, order_by=KeyGroup.sort_order)

    __mapper_args__ = {"version_id_col": version}


class Visit(Base):
    """A visit (走访) to a recipient: who, when, how, and what was found."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_recipient_date", "recipient_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    # "staff" (社区工作人员) or "building_leader" (楼组长), §三.1.
    visitor_kind: Mapped[str] = mapped_column(String(20))
    visitor_name: Mapped[str] = mapped_column(String(50))
    # "home" 入户 / "phone" 电话 / "online" 线上 / "suggestion_box" 意见箱.
    method: Mapped[str] = mapped_column(String(20))
    findings: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Need(Base):
    """A recipient's need (需求), from the menu or in free text, followed until it is met or closed."""

    __tablename__ = "needs"
    __table_args__ = (Index("ix_needs_station_status", "station_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    # A menu item, or free text when nothing on the menu fits (one of the two is set).
    service_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    free_text: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # "normal" 一般 / "soon" 较急 / "urgent" 紧急.
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    # Preferred times as the volunteers' availability bitmask (weekday * 3 + part), plus a note.
    preferred_times: Mapped[int] = mapped_column(Integer, default=0)
    preferred_note: Mapped[str] = mapped_column(String(200), default="")
    # pending_assessment → pending_match → matched → done / closed.
    status: Mapped[str] = mapped_column(String(20))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    # Or matched through an activity that serves it (issue 4).
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"), index=True)
    raised_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    service_item: Mapped[ServiceItem | None] = relationship()
    recipient: Mapped[Recipient] = relationship()
    history: Mapped[list[NeedStatusChange]] = relationship(
        back_populates="need", order_by="NeedStatusChange.id"
    )

    __mapper_args__ = {"version_id_col": version}


class NeedStatusChange(Base):
    """Append-only history of a need's status: nothing about a need is silently dropped."""

    __tablename__ = "need_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    need: Mapped[Need] = relationship(back_populates="history")


project_key_groups = Table(
    "project_key_groups",
    Base.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("key_group_id", ForeignKey("key_groups.id"), primary_key=True, index=True),
)


class Project(Base):
    """A service project (志愿服务项目) designed from needs, §三.1."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    goal: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    lead_social_worker: Mapped[str] = mapped_column(String(50))
    partner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    partner_org: Mapped[str] = mapped_column(String(100), default="")
    # "active" or "closed".
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    key_groups: Mapped[list[KeyGroup]] = relationship(secondary=project_key_groups, order_by=KeyGroup.sort_order)

    __mapper_args__ = {"version_id_col": version}


recruitment_skills = Table(
    "recruitment_skills",
    Base.metadata,
    Column("recruitment_id", ForeignKey("recruitments.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id"), primary_key=True, index=True),
)


class Recruitment(Base):
    """A recruitment notice (招募) for a project, §三.2."""

    __tablename__ = "recruitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    requirements: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    # When the service happens: availability bitmask plus free text ("每周六上午 9:00–11:00").
    service_times: Mapped[int] = mapped_column(Integer, default=0)
    service_time_note: Mapped[str] = mapped_column(String(200), default="")
    slots: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(32))
    # "open" or "closed"; a closed notice can no longer be edited or applied to.
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    skills: Mapped[list[Skill]] = relationship(secondary=recruitment_skills, order_by=Skill.name)
    project: Mapped[Project] = relationship()

    __mapper_args__ = {"version_id_col": version}


class RecruitmentApplication(Base):
    """A volunteer's application (报名) to a recruitment notice."""

    __tablename__ = "recruitment_applications"
    __table_args__ = (UniqueConstraint("recruitment_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recruitment_id: Mapped[int] = mapped_column(ForeignKey("recruitments.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    # "registered": an existing volunteer; "new_resident": the application created the volunteer.
    source: Mapped[str] = mapped_column(String(16))
    # "applied" or "cancelled" (with a reason); a cancelled application frees its slot.
    status: Mapped[str] = mapped_column(String(16), default="applied")
    note: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
