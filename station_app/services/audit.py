"""The append-only audit log. Services call ``record`` in the same unit of work as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models import AuditEntry, utcnow
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
    session.add(AuditEntry(**entry_values(actor, action, entity, entity_id, summary=summary, changes=changes)))


def entry_values(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    summary: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """The columns of one entry, masked: for :func:`record`, and for batch inserts of many entries."""
    masked = {
        field: [_plain(mask_value(field, old)), _plain(mask_value(field, new))]
        for field, (old, new) in (changes or {}).items()
    }
    return dict(
        at=utcnow(),
        user_id=actor.user_id,
        username=actor.username,
        station_id=actor.station_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary[:200],
        changes=masked,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if _plain(before.get(k)) != _plain(v)}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: int | None
    summary: str
    changes: dict[str, list[Any]]


def history(session: Session, entity: str, entity_id: int, limit: int = 200) -> list[AuditRow]:
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [_row(r) for r in rows]


def _row(entry: AuditEntry) -> AuditRow:
    return AuditRow(entry.id, entry.at, entry.username, entry.action, entry.entity, entry.entity_id,
                    entry.summary, dict(entry.changes))


ACTION_LABELS = {
    "login": _("登录"),
    "create": _("新建"),
    "update": _("修改"),
    "review": _("审核"),
    "status": _("状态变更"),
    "delete": _("删除"),
    "reveal": _("查看完整信息"),
    "password": _("修改密码"),
    "demo": _("生成演示数据"),
    "record_hours": _("录入时长"),
    "correct": _("申请更正"),
    "approve": _("批准"),
    "reject": _("驳回"),
    "confirm": _("星级认定"),
    "award": _("授予嘉许"),
    "redeem": _("时长兑换"),
    "reverse": _("冲正"),
    "checkpoint": _("签署检查点"),
    "share_key": _("交给签名密钥"),
    "print": _("打印证书"),
    "export_package": _("导出转移包"),
    "import_package": _("导入转移包"),
    "trust_key": _("信任站点密钥"),
    "import_roster": _("导入花名册"),
    "export": _("导出Excel"),
    "backup": _("备份数据库"),
    "restore": _("恢复数据库"),
}


def recent(
    session: Session, actor: Actor, *, action: str | None = None, username: str | None = None, limit: int = 500
) -> list[AuditRow]:
    """The station's newest entries, for the audit log screen (administrators only)."""
    from .auth import Permission, require

    require(actor, Permission.VIEW_AUDIT)
    query = select(AuditEntry).where(AuditEntry.station_id == actor.station_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if username:
        query = query.where(AuditEntry.username == username)
    return [_row(r) for r in session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))]
