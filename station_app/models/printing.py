"""Certificates issued: every print of a certificate or proof, the first and each reprint.

A row is written when a certificate has been drawn, and never changed: it is the station's answer
to "did we issue this?" when someone shows a certificate. It keeps what the paper said (``content``,
the document as JSON, without the seal image) so a reprint draws the same certificate again, marked
as a reprint, and the signed QR payload the paper carries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class CertificateIssue(Base):
    __tablename__ = "certificate_issues"
    __table_args__ = (
        UniqueConstraint("certificate_no", "copy"),
        Index("ix_certificate_issues_station_kind", "station_id", "kind", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    kind: Mapped[str] = mapped_column(String(12))  # star / honour / record
    certificate_no: Mapped[str] = mapped_column(String(40))
    copy: Mapped[int] = mapped_column(Integer)  # 1 = the first print, 2… = reprints
    subject: Mapped[str] = mapped_column(String(100))  # whose: a person's, team's or project's name
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    star_award_id: Mapped[int | None] = mapped_column(ForeignKey("star_awards.id"), index=True)
    honour_id: Mapped[int | None] = mapped_column(ForeignKey("honours.id"), index=True)
    payload: Mapped[str] = mapped_column(Text)  # the signed QR text
    content: Mapped[str] = mapped_column(Text)  # the document as printed (JSON), for reprints
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_by_name: Mapped[str] = mapped_column(String(50))
