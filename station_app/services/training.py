"""Training (组织培训, §三.3): sessions, enrolment, attendance, and who holds which training.

Training time is recorded apart from service time and never counts toward star levels.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models import TrainingEnrolment, TrainingSession


class TrainingKind(StrEnum):
    COACHING = "coaching"
    DISCUSSION = "discussion"
    CASE_STUDY = "case_study"
    SKILLS = "skills"
    PRE_SERVICE = "pre_service"

    @property
    def label(self) -> str:
        return TRAINING_KIND_LABELS[self]


TRAINING_KIND_LABELS = {
    TrainingKind.COACHING: _("集中辅导"),
    TrainingKind.DISCUSSION: _("座谈交流"),
    TrainingKind.CASE_STUDY: _("案例分析"),
    TrainingKind.SKILLS: _("技能培训"),
    TrainingKind.PRE_SERVICE: _("岗前培训"),
}

# Attendance that counts as having had the training.
ATTENDED = ("present", "late")


def trained_volunteer_ids(
    session: Session, station_id: int, kind: str, volunteer_ids: Iterable[int] | None = None
) -> set[int]:
    """Volunteers of the station who attended (出席 or 迟到) a held session of this kind."""
    query = (
        select(TrainingEnrolment.volunteer_id)
        .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
        .where(
            TrainingSession.station_id == station_id,
            TrainingSession.kind == kind,
            TrainingSession.status == "held",
            TrainingEnrolment.attendance.in_(ATTENDED),
        )
        .distinct()
    )
    if volunteer_ids is not None:
        ids = list(volunteer_ids)
        if not ids:
            return set()
        query = query.where(TrainingEnrolment.volunteer_id.in_(ids))
    return set(session.scalars(query))
