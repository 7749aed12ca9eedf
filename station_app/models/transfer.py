"""Records that travel between databases: trusted keys of other stations, imports, and provenance.

A *transfer package* (services/packages.py) carries one volunteer's file, a selection, or a
whole station, signed with the origin station's key. What it adds here is remembered by its
origin (``transfer_links``), so importing the same package twice adds nothing, and what a
volunteer did elsewhere (training, awards, honours) is kept as read-only history.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class TrustedStationKey(Base):
    """Another station's public key, trusted once by an administrator after comparing its fingerprint."""

    __tablename__ = "trusted_station_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_code: Mapped[str] = mapped_column(String(16), index=True)
    origin_name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)  # raw 32 bytes, hex
    trusted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trusted_by_name: Mapped[str] = mapped_column(String(50))
    trusted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PackageImport(Base):
    """One import of a transfer package, kept as evidence of where records came from."""

    __tablename__ = "package_imports"
    __table_args__ = (Index("ix_package_imports_package", "package_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The station the records were added to; for a whole-station package, that station's copy.
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    package_id: Mapped[str] = mapped_column(String(36))
    origin_code: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(12))  # volunteer / selection / station
    sha256: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_by_name: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(Text)  # JSON: counts added and matched, per kind


class TransferLink(Base):
    """What a row from another station became here: (origin station, kind, origin key) → local id."""

    __tablename__ = "transfer_links"
    __table_args__ = (UniqueConstraint("station_id", "origin_code", "kind", "origin_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    origin_code: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # volunteer / record / training / star / honour / redemption
    origin_key: Mapped[str] = mapped_column(String(80))
    local_id: Mapped[int | None] = mapped_column(Integer)
    package_import_id: Mapped[int] = mapped_column(ForeignKey("package_imports.id"))


class TransferredHistory(Base):
    """Something a volunteer did at another station (training, a star level, an honour): read-only."""

    __tablename__ = "transferred_history"
    __table_args__ = (Index("ix_transferred_history_volunteer", "volunteer_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    kind: Mapped[str] = mapped_column(String(16))  # training / star / honour / redemption
    origin_code: Mapped[str] = mapped_column(String(16))
    origin_name: Mapped[str] = mapped_column(String(100))
    occurred_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON of the origin row
    package_import_id: Mapped[int] = mapped_column(ForeignKey("package_imports.id"))
