"""The organisation a station sits in: City → Town (镇区) → Community (社区) → Station."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class City(Base):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)

    towns: Mapped[list[Town]] = relationship(back_populates="city")


class Town(Base):
    __tablename__ = "towns"
    __table_args__ = (UniqueConstraint("city_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    name: Mapped[str] = mapped_column(String(50))

    city: Mapped[City] = relationship(back_populates="towns")
    communities: Mapped[list[Community]] = relationship(back_populates="town")


class Community(Base):
    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("town_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    name: Mapped[str] = mapped_column(String(50))

    town: Mapped[Town] = relationship(back_populates="communities")
    stations: Mapped[list[Station]] = relationship(back_populates="community")


class Station(Base):
    """A compound's volunteer service station (物业志愿服务站)."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(100))
    # Short code that prefixes volunteer numbers, unique in the city.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_person: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    # Next sequence number for volunteer numbers; bumped in the approving transaction.
    next_volunteer_seq: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the station works elsewhere (offline) and its records arrive here in packages: when
    # the newest package imported was made (its records are "as of" then). Such a copy is read-only
    # here. None: the station works in this database.
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship(back_populates="stations")
