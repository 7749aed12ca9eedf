"""The append-only audit log. Services call ``record`` in the same unit of work as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEntry
from .masking import mask_value

if TYPE_CHECKING:
    from .auth import Actor


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(_plain(v) for v in value)
    return value


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Append one entry; ``changes`` maps a field to [old, new] (masked here if sensitive)."""
    masked = {
        field: [_plain(mask_value(field, old)), _plain(mask_value(field, new))]
        for field, (old, new) in (changes or {}).items()
    }
    session.add(
        AuditEntry(
            user_id=actor.user_id,
            username=actor.username,
            station_id=actor.station_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summary[:200],
            changes=masked,
        )
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if _plain(before.get(k)) != _plain(v)}


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    username: str
    action: str
    summary: str
    changes: dict[str, list[Any]]


def history(session: Session, entity: str, entity_id: int, limit: int = 200) -> list[AuditRow]:
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [AuditRow(r.at, r.username, r.action, r.summary, dict(r.changes)) for r in rows]
