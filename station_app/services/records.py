"""Loading one of the station's own records by id: the check every service makes first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Skill
from .auth import Actor

M = TypeVar("M")


def load_for_station(
    session: Session, actor: Actor, model: type[M], record_id: int, not_found: str, *, for_update: bool = False
) -> M:
    """The record of ``model`` with this id in the actor's station; ``NotFound(not_found)`` otherwise.

    Another station's record is "not found" too: ids are not secrets, but records are.
    ``for_update`` locks the row (PostgreSQL) for a read-modify-write.
    """
    cls: Any = model
    query = select(cls).where(cls.id == record_id, cls.station_id == actor.station_id)
    if for_update:
        query = query.with_for_update()
    record = session.scalar(query)
    if record is None:
        raise NotFound(not_found)
    return record


def skills_named(session: Session, names: Sequence[str]) -> list[Skill]:
    """The shared skills with these names, in that order; a name not seen before becomes a new skill."""
    found = {s.name: s for s in session.scalars(select(Skill).where(Skill.name.in_(names)))} if names else {}
    for name in names:
        if name not in found:
            found[name] = Skill(name=name)
            session.add(found[name])
    return [found[n] for n in names]


def like_escape(text: str) -> str:
    """Text to put inside a LIKE pattern literally (use with ``escape="\\\\"``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
