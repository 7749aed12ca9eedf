"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .audit import AuditEntry
from .base import Base, utcnow
from .demand import (
    KeyGroup,
    Need,
    NeedStatusChange,
    Project,
    Recipient,
    Recruitment,
    RecruitmentApplication,
    ServiceItem,
    Visit,
    project_key_groups,
    recipient_key_groups,
    recruitment_skills,
    service_item_skills,
)
from .org import City, Community, Station, Town
from .schedule import (
    Activity,
    ActivitySeries,
    Assignment,
    Shift,
    StationSetting,
    TrainingEnrolment,
    TrainingSession,
    activity_recipients,
    activity_skills,
)
from .user import User
from .volunteer import Skill, Team, TeamMember, Volunteer, volunteer_skills

__all__ = [
    "Activity",
    "ActivitySeries",
    "Assignment",
    "Shift",
    "StationSetting",
    "TrainingEnrolment",
    "TrainingSession",
    "activity_recipients",
    "activity_skills",
    "AuditEntry",
    "Base",
    "City",
    "Community",
    "KeyGroup",
    "Need",
    "NeedStatusChange",
    "Project",
    "Recipient",
    "Recruitment",
    "RecruitmentApplication",
    "ServiceItem",
    "Skill",
    "Station",
    "Team",
    "TeamMember",
    "Town",
    "User",
    "Visit",
    "Volunteer",
    "project_key_groups",
    "recipient_key_groups",
    "recruitment_skills",
    "service_item_skills",
    "utcnow",
    "volunteer_skills",
]
