"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .audit import AuditEntry
from .base import Base, utcnow
from .org import City, Community, Station, Town
from .user import User
from .volunteer import Skill, Team, TeamMember, Volunteer, volunteer_skills

__all__ = [
    "AuditEntry",
    "Base",
    "City",
    "Community",
    "Skill",
    "Station",
    "Team",
    "TeamMember",
    "Town",
    "User",
    "Volunteer",
    "utcnow",
    "volunteer_skills",
]
