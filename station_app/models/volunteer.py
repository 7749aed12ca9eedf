"""Volunteers (志愿者), their skills, and teams (服务队)."""

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

volunteer_skills = Table(
    "volunteer_skills",
    Base.metadata,
    Column("volunteer_id", ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id"), primary_key=True, index=True),
)


class Skill(Base):
    """A service skill (服务技能), shared by volunteers and, later, menu items."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Volunteer(Base):
    __tablename__ = "volunteers"
    __table_args__ = (
        Index("ix_volunteers_station_status", "station_id", "status"),
        Index("ix_volunteers_station_initials", "station_id", "name_initials"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    # Issued on approval: station code + sequence.
    volunteer_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    # Lower-case pinyin initials and full pinyin, for search (张三丰 → "zsf", "zhangsanfeng").
    name_initials: Mapped[str] = mapped_column(String(50))
    name_pinyin: Mapped[str] = mapped_column(String(300))
    gender: Mapped[str] = mapped_column(String(2))  # 男 / 女, derived from the ID number
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    id_tail: Mapped[str] = mapped_column(String(4), index=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    political_status: Mapped[str] = mapped_column(String(32), index=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    building: Mapped[str] = mapped_column(String(20), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20), default="")
    is_backbone: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    emergency_contact: Mapped[str] = mapped_column(String(50), default="")
    emergency_phone: Mapped[str] = mapped_column(String(32), default="")
    # Weekly availability: bit (weekday * 3 + slot); weekday 0 = Monday, slot 0/1/2 = 上午/下午/晚上.
    availability: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two staff editing the same volunteer cannot overwrite each other.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    skills: Mapped[list[Skill]] = relationship(secondary=volunteer_skills, order_by=Skill.name)
    memberships: Mapped[list[TeamMember]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Team(Base):
    """A service team: the station's own, or a visiting one from an organisation."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("station_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    name: Mapped[str] = mapped_column(String(100))
    # "own" or "visiting"; visiting teams name their organisation.
    kind: Mapped[str] = mapped_column(String(16), default="own")
    org_type: Mapped[str] = mapped_column(String(16), default="")  # 企业/机关/学校/医院/社会组织
    org_name: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_on: Mapped[date] = mapped_column(Date, default=date.today)

    team: Mapped[Team] = relationship(back_populates="members")
    volunteer: Mapped[Volunteer] = relationship(back_populates="memberships")
