"""The service menu (服务菜单) and the key groups (重点对象) with their visit rules.

Both are seeded per station from ``resources/data`` (the plan's six actions, §二, and its key
groups) and then belong to the station: administrators add, edit and retire entries. Retired
entries are never deleted, so needs and recipients recorded against them keep their names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..errors import DuplicateError, NotFound, ValidationError
from ..i18n import _
from ..models import KeyGroup, ServiceItem, Skill, utcnow
from ..resources import load_json
from . import audit
from .auth import Actor, Permission, require
from .hours import hours_text
from .records import load_for_station, skills_named
from .training import TrainingKind


class Category(StrEnum):
    """The six community volunteer actions of §二."""

    HELP = "help"
    CONVENIENCE = "convenience"
    CIVILITY = "civility"
    SAFETY = "safety"
    YOUTH = "youth"
    CULTURE = "culture"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.HELP: _("帮扶行动"),
    Category.CONVENIENCE: _("便民行动"),
    Category.CIVILITY: _("文明行动"),
    Category.SAFETY: _("平安行动"),
    Category.YOUTH: _("护苗行动"),
    Category.CULTURE: _("文化行动"),
}

CHARGES = {"free": _("无偿"), "low_cost": _("低偿")}
MAX_TYPICAL_MINUTES = 24 * 60
MAX_VISIT_INTERVAL_DAYS = 366
MAX_REDEEM_MINUTES = 24 * 60
QUARTER = 15


@dataclass(frozen=True)
class MenuItemInfo:
    id: int
    category: Category
    name: str
    description: str
    typical_minutes: int
    skills: list[str]
    charge: str  # code, see CHARGES
    redeemable: bool
    active: bool
    required_training: str | None = None  # a TrainingKind value: who serves this item must have attended it
    redeem_minutes: int | None = None  # the time-bank price of one service (redeemable items)

    @property
    def redeem_text(self) -> str:
        """The menu's 时长兑换 column: "可兑换 1.5 小时", or "" when the item cannot be redeemed."""
        if not self.redeemable:
            return ""
        if not self.redeem_minutes:
            return _("可兑换（未定价）")
        return _("可兑换 {h} 小时").format(h=hours_text(self.redeem_minutes))

    @property
    def required_training_label(self) -> str:
        """"岗前培训", or "" when the item needs no training."""
        return TrainingKind(self.required_training).label if self.required_training else ""

    @property
    def label(self) -> str:
        """How a need or a list shows the item: "便民行动 · 维修家电"."""
        return f"{self.category.label} · {self.name}"


@dataclass
class MenuItemInput:
    category: str
    name: str
    description: str = ""
    typical_minutes: int = 60
    skills: Sequence[str] = field(default_factory=tuple)
    charge: str = "free"
    redeemable: bool = False
    active: bool = True
    required_training: str | None = None  # a TrainingKind value, or None / "" for no requirement
    # The time-bank price of one service, in minutes (quarter hours), when redeemable. None: the
    # item's present price, or for an item without one its typical duration up to the quarter hour.
    redeem_minutes: int | None = None


@dataclass(frozen=True)
class KeyGroupInfo:
    id: int
    name: str
    visit_interval_days: int | None
    active: bool


# --- seeding ---------------------------------------------------------------------------------
def seed_rows(station_id: int) -> tuple[list[dict], list[dict]]:
    """The seed catalogue as plain rows: (menu items with a ``skills`` list, key groups)."""
    menu = load_json("service_menu.json")
    items: list[dict] = []
    for category in menu["categories"]:
        Category(category["code"])  # the data file must name one of the six actions
        for item in category["items"]:
            items.append(
                {
                    "station_id": station_id,
                    "category": category["code"],
                    "name": item["name"],
                    "description": item["description"],
                    "typical_minutes": item["minutes"],
                    "charge": item["charge"],
                    "redeemable": item["redeemable"],
                    # The time-bank price: the file's, else the typical duration.
                    "redeem_minutes": item.get("redeem_minutes", item["minutes"]) if item["redeemable"] else None,
                    "active": True,
                    "sort_order": len(items),
                    "required_training": _seed_training(item.get("required_training")),
                    "skills": list(item["skills"]),
                }
            )
    groups = [
        {
            "station_id": station_id,
            "name": g["name"],
            "visit_interval_days": g["visit_interval_days"],
            "active": True,
            "sort_order": n,
        }
        for n, g in enumerate(load_json("key_groups.json")["groups"])
    ]
    return items, groups


def _seed_training(value: str | None) -> str | None:
    return TrainingKind(value).value if value else None  # the data file must name a training kind


def seed_catalogue(session: Session, station_id: int) -> None:
    """Give a new station the plan's menu and key groups (called when a station is set up)."""
    items, groups = seed_rows(station_id)
    skill_names = sorted({s for item in items for s in item["skills"]})
    skills = {s.name: s for s in session.scalars(select(Skill).where(Skill.name.in_(skill_names)))}
    for name in skill_names:
        if name not in skills:
            skills[name] = Skill(name=name)
            session.add(skills[name])
    for row in items:
        names = row.pop("skills")
        session.add(ServiceItem(**row, skills=[skills[n] for n in names]))
    session.add_all(KeyGroup(**g) for g in groups)
    session.flush()


def seed_catalogue_core(connection: Connection, station_ids: Sequence[int], tables: dict) -> None:
    """The same seed for the migration, in Core against the migration's own table objects."""
    skill_t, item_t, item_skill_t, group_t = (
        tables["skills"], tables["service_items"], tables["service_item_skills"], tables["key_groups"]
    )
    now = utcnow().replace(tzinfo=None)  # stored naive UTC, as UTCDateTime does
    for station_id in station_ids:
        items, groups = seed_rows(station_id)
        for row in items:
            names = row.pop("skills")
            row["created_at"] = now
            # An older revision's table lacks the columns added since (required_training: 0003,
            # whose own data step sets it).
            row = {key: value for key, value in row.items() if key in item_t.c}
            item_id = connection.execute(item_t.insert().values(**row).returning(item_t.c.id)).scalar_one()
            for name in names:
                skill_id = connection.execute(select(skill_t.c.id).where(skill_t.c.name == name)).scalar()
                if skill_id is None:
                    skill_id = connection.execute(
                        skill_t.insert().values(name=name).returning(skill_t.c.id)
                    ).scalar_one()
                connection.execute(item_skill_t.insert().values(service_item_id=item_id, skill_id=skill_id))
        if groups:
            connection.execute(group_t.insert(), groups)


# --- service menu ----------------------------------------------------------------------------
def _item_info(item: ServiceItem) -> MenuItemInfo:
    return MenuItemInfo(
        id=item.id,
        category=Category(item.category),
        name=item.name,
        description=item.description,
        typical_minutes=item.typical_minutes,
        skills=[s.name for s in item.skills],
        charge=item.charge,
        redeemable=item.redeemable,
        active=item.active,
        required_training=item.required_training,
        redeem_minutes=item.redeem_minutes,
    )


def list_menu(
    session: Session, actor: Actor, *, include_retired: bool = False, category: Category | None = None
) -> list[MenuItemInfo]:
    """The menu in its printed order: category by category, as the plan lists them."""
    require(actor, Permission.VIEW)
    query = select(ServiceItem).where(ServiceItem.station_id == actor.station_id)
    if not include_retired:
        query = query.where(ServiceItem.active.is_(True))
    if category is not None:
        query = query.where(ServiceItem.category == Category(category).value)
    order = {c.value: n for n, c in enumerate(Category)}
    items = [_item_info(i) for i in session.scalars(query.order_by(ServiceItem.sort_order, ServiceItem.id))]
    return sorted(items, key=lambda i: order[i.category.value])


def get_menu_item(session: Session, actor: Actor, item_id: int) -> MenuItemInfo:
    require(actor, Permission.VIEW)
    return _item_info(_load_item(session, actor, item_id))


def _load_item(session: Session, actor: Actor, item_id: int) -> ServiceItem:
    return load_for_station(session, actor, ServiceItem, item_id, _("找不到这个服务项目。"))


def _validated_price(data: MenuItemInput, current: int | None) -> int | None:
    """The time-bank price: only for redeemable items, above zero, in quarter hours."""
    if not data.redeemable:
        return None
    price = data.redeem_minutes
    if price is None:
        price = current or -(-data.typical_minutes // QUARTER) * QUARTER
    if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise ValidationError(
            _("可用服务时长兑换的项目必须填写兑换价（每次多少小时），且大于 0。"), field="redeem_minutes"
        )
    if price % QUARTER:
        raise ValidationError(
            _("兑换价应为 0.25 小时（15 分钟）的整数倍，如 0.5、1、1.25 小时。"), field="redeem_minutes"
        )
    if price > MAX_REDEEM_MINUTES:
        raise ValidationError(_("兑换价每次不能超过 24 小时。"), field="redeem_minutes")
    return price


def _validated_item(data: MenuItemInput, current_price: int | None = None) -> dict:
    try:
        category = Category(data.category)
    except ValueError:
        raise ValidationError(_("请选择服务类别。"), field="category") from None
    name = data.name.strip()
    if not name:
        raise ValidationError(_("服务名称不能为空。"), field="name")
    if len(name) > 100:
        raise ValidationError(_("服务名称不能超过 100 个字。"), field="name")
    if not isinstance(data.typical_minutes, int) or not 5 <= data.typical_minutes <= MAX_TYPICAL_MINUTES:
        raise ValidationError(_("一般用时应在 5 分钟到 24 小时之间。"), field="typical_minutes")
    if data.charge not in CHARGES:
        raise ValidationError(_("请选择无偿或低偿。"), field="charge")
    skills = sorted({s.strip() for s in data.skills if s.strip()})
    if any(len(s) > 50 for s in skills):
        raise ValidationError(_("技能名称不能超过 50 个字。"), field="skills")
    description = data.description.strip()
    if len(description) > 2000:
        raise ValidationError(_("说明不能超过 2000 个字。"), field="description")
    required_training = None
    if data.required_training:
        try:
            required_training = TrainingKind(data.required_training).value
        except ValueError:
            raise ValidationError(
                _("所需培训“{k}”不是培训类型之一（{all}）。").format(
                    k=data.required_training, all="、".join(k.label for k in TrainingKind)
                ),
                field="required_training",
            ) from None
    return {
        "category": category.value,
        "name": name,
        "description": description,
        "typical_minutes": data.typical_minutes,
        "charge": data.charge,
        "redeemable": bool(data.redeemable),
        "redeem_minutes": _validated_price(data, current_price),
        "active": bool(data.active),
        "required_training": required_training,
        "skills": skills,
    }


def _check_item_unique(session: Session, actor: Actor, category: str, name: str, exclude_id: int | None) -> None:
    query = select(ServiceItem.id).where(
        ServiceItem.station_id == actor.station_id, ServiceItem.category == category, ServiceItem.name == name
    )
    if exclude_id is not None:
        query = query.where(ServiceItem.id != exclude_id)
    existing = session.scalar(query)
    if existing is not None:
        raise DuplicateError(
            _("“{c}”里已经有“{n}”了（停用的项目也算），请直接修改它。").format(c=Category(category).label, n=name),
            field="name",
            existing_id=existing,
        )


def _item_snapshot(item: ServiceItem) -> dict:
    return {
        "category": item.category,
        "name": item.name,
        "description": item.description,
        "typical_minutes": item.typical_minutes,
        "charge": item.charge,
        "redeemable": item.redeemable,
        "redeem_minutes": item.redeem_minutes,
        "active": item.active,
        "required_training": item.required_training,
        "skills": [s.name for s in item.skills],
    }


def create_menu_item(session: Session, actor: Actor, data: MenuItemInput) -> int:
    require(actor, Permission.MANAGE_MENU)
    values = _validated_item(data)
    _check_item_unique(session, actor, values["category"], values["name"], None)
    last = session.scalar(select(func.max(ServiceItem.sort_order)).where(ServiceItem.station_id == actor.station_id))
    skills = skills_named(session, values.pop("skills"))
    item = ServiceItem(station_id=actor.station_id, sort_order=(last or 0) + 1, skills=skills, **values)
    session.add(item)
    session.flush()
    audit.record(
        session, actor, "create", "service_item", item.id,
        summary=_("新增服务菜单项目：{n}").format(n=item.name), changes=audit.diff({}, _item_snapshot(item)),
    )
    return item.id


def update_menu_item(session: Session, actor: Actor, item_id: int, data: MenuItemInput) -> None:
    """Edit an item; unticking "在用" retires it (it stays on the needs that used it)."""
    require(actor, Permission.MANAGE_MENU)
    item = _load_item(session, actor, item_id)
    values = _validated_item(data, item.redeem_minutes)
    _check_item_unique(session, actor, values["category"], values["name"], item.id)
    before = _item_snapshot(item)
    item.skills = skills_named(session, values.pop("skills"))
    for key, value in values.items():
        setattr(item, key, value)
    changes = audit.diff(before, _item_snapshot(item))
    if changes:
        action = _("停用") if before["active"] and not item.active else _("修改")
        audit.record(
            session, actor, "update", "service_item", item.id,
            summary=_("{a}服务菜单项目：{n}").format(a=action, n=item.name), changes=changes,
        )


def set_menu_item_active(session: Session, actor: Actor, item_id: int, active: bool) -> None:
    """Retire (停用) or bring back (启用) a menu item."""
    require(actor, Permission.MANAGE_MENU)
    item = _load_item(session, actor, item_id)
    if item.active == active:
        return
    item.active = active
    audit.record(
        session, actor, "update", "service_item", item.id,
        summary=(_("启用服务菜单项目：{n}") if active else _("停用服务菜单项目：{n}")).format(n=item.name),
        changes={"active": [not active, active]},
    )


# --- key groups -------------------------------------------------------------------------------
def list_key_groups(session: Session, actor: Actor, *, include_retired: bool = False) -> list[KeyGroupInfo]:
    require(actor, Permission.VIEW)
    query = select(KeyGroup).where(KeyGroup.station_id == actor.station_id)
    if not include_retired:
        query = query.where(KeyGroup.active.is_(True))
    return [
        KeyGroupInfo(g.id, g.name, g.visit_interval_days, g.active)
        for g in session.scalars(query.order_by(KeyGroup.sort_order, KeyGroup.id))
    ]


def _validated_group(name: str, interval: int | None) -> tuple[str, int | None]:
    name = name.strip()
    if not name:
        raise ValidationError(_("重点对象类别的名称不能为空。"), field="name")
    if len(name) > 50:
        raise ValidationError(_("重点对象类别的名称不能超过 50 个字。"), field="name")
    if interval is not None and not 1 <= interval <= MAX_VISIT_INTERVAL_DAYS:
        raise ValidationError(_("走访周期应在 1 到 366 天之间（不需要定期走访请留空）。"), field="visit_interval_days")
    return name, interval


def save_key_group(
    session: Session,
    actor: Actor,
    group_id: int | None,
    name: str,
    visit_interval_days: int | None,
    active: bool = True,
) -> int:
    """Add a key group (``group_id`` None) or change one's name, visit rule, or whether it is used."""
    require(actor, Permission.MANAGE_MENU)
    name, interval = _validated_group(name, visit_interval_days)
    clash = select(KeyGroup.id).where(KeyGroup.station_id == actor.station_id, KeyGroup.name == name)
    if group_id is not None:
        clash = clash.where(KeyGroup.id != group_id)
    existing = session.scalar(clash)
    if existing is not None:
        raise DuplicateError(_("已经有“{n}”这个类别了。").format(n=name), field="name", existing_id=existing)
    if group_id is None:
        last = session.scalar(select(func.max(KeyGroup.sort_order)).where(KeyGroup.station_id == actor.station_id))
        group = KeyGroup(
            station_id=actor.station_id, name=name, visit_interval_days=interval, active=active,
            sort_order=(last or 0) + 1,
        )
        session.add(group)
        session.flush()
        audit.record(session, actor, "create", "key_group", group.id, summary=_("新增重点对象类别：{n}").format(n=name))
        return group.id
    group = session.get(KeyGroup, group_id)
    if group is None or group.station_id != actor.station_id:
        raise NotFound(_("找不到这个重点对象类别。"))
    before = {"name": group.name, "visit_interval_days": group.visit_interval_days, "active": group.active}
    group.name, group.visit_interval_days, group.active = name, interval, bool(active)
    changes = audit.diff(before, {"name": name, "visit_interval_days": interval, "active": bool(active)})
    if changes:
        audit.record(
            session, actor, "update", "key_group", group.id,
            summary=_("修改重点对象类别：{n}").format(n=name), changes=changes,
        )
    return group.id
