"""First start: the organisation, the station and its first administrator."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..i18n import _
from ..models import ChainHead, City, Community, HonourTitle, Station, Team, Town
from ..resources import load_json
from . import audit, chain
from .auth import Actor, Permission, Role, check_new_password, create_user, require
from .catalogue import seed_catalogue
from .validation import validate_phone

STATION_CODE_RE = re.compile(r"^[A-Z0-9]{2,12}$")


@dataclass(frozen=True)
class StationSetup:
    city: str
    town: str
    community: str
    station_name: str
    station_code: str
    address: str
    contact_person: str
    contact_phone: str
    admin_username: str
    admin_display_name: str
    admin_password: str
    admin_password_confirm: str


@dataclass(frozen=True)
class StationInfo:
    id: int
    name: str
    code: str
    city: str
    town: str
    community: str
    address: str
    contact_person: str
    contact_phone: str


def known_towns() -> dict[str, list[str]]:
    """City → towns offered when a station is set up (the user may type others)."""
    return load_json("regions.json")


def is_initialised(session: Session) -> bool:
    return session.scalar(select(Station.id).limit(1)) is not None


def _required(value: str, label: str, field: str, max_len: int = 100) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(_("{label}不能为空。").format(label=label), field=field)
    if len(value) > max_len:
        raise ValidationError(_("{label}不能超过 {n} 个字。").format(label=label, n=max_len), field=field)
    return value


def _get_or_create(session: Session, model, **keys):  # noqa: ANN001, ANN202
    obj = session.scalar(select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys)
        session.add(obj)
        session.flush()
    return obj


def initialise_station(session: Session, setup: StationSetup) -> int:
    """Create the organisation chain, the station, its own teams and the first administrator."""
    if is_initialised(session):
        raise ValidationError(_("本数据库已经设置过站点，不能重复设置。"))
    return build_station(session, setup)


def build_station(session: Session, setup: StationSetup) -> int:
    """One more station with its first administrator (first start, or a city administrator adding one)."""
    city = _required(setup.city, _("市"), "city", 50)
    town = _required(setup.town, _("镇区"), "town", 50)
    community = _required(setup.community, _("社区"), "community", 50)
    name = _required(setup.station_name, _("站点名称"), "station_name")
    code = setup.station_code.strip().upper()
    if not STATION_CODE_RE.fullmatch(code):
        raise ValidationError(
            _("站点编号须为 2–12 位大写字母或数字（用作志愿者编号的前缀），例如 SQ0101。"), field="station_code"
        )
    phone = validate_phone(setup.contact_phone) if setup.contact_phone.strip() else ""
    check_new_password(setup.admin_password, setup.admin_password_confirm)

    city_row = _get_or_create(session, City, name=city)
    town_row = _get_or_create(session, Town, city_id=city_row.id, name=town)
    community_row = _get_or_create(session, Community, town_id=town_row.id, name=community)
    station = Station(
        community_id=community_row.id,
        name=name,
        code=code,
        address=setup.address.strip(),
        contact_person=setup.contact_person.strip(),
        contact_phone=phone,
        next_volunteer_seq=1,
    )
    session.add(station)
    session.flush()
    for team in load_json("default_teams.json"):
        session.add(Team(station_id=station.id, name=team["name"], kind="own", description=team["description"]))
    seed_catalogue(session, station.id)
    admin_id = create_user(
        session,
        None,
        username=setup.admin_username,
        display_name=setup.admin_display_name,
        role=Role.ADMIN,
        password=setup.admin_password,
        station_id=station.id,
    )
    session.add_all(HonourTitle(station_id=station.id, **title) for title in honour_title_rows())
    session.add(ChainHead(station_id=station.id, count=0, head_hash=chain.GENESIS))
    # The station's signing key pair, wrapped with the first administrator's password (issue 5).
    chain.ensure_station_key(session, station.id, admin_id, setup.admin_password)
    return station.id


def honour_title_rows() -> list[dict]:
    """The honour titles a new station starts with (``resources/data/honour_titles.json``)."""
    return [
        {"name": t["name"], "target_kind": t["target_kind"], "description": t["description"], "active": True}
        for t in load_json("honour_titles.json")["titles"]
    ]


def station_info(session: Session, actor: Actor) -> StationInfo:
    require(actor, Permission.VIEW)
    station = session.get(Station, actor.station_id)
    assert station is not None
    community = station.community
    return StationInfo(
        id=station.id,
        name=station.name,
        code=station.code,
        city=community.town.city.name,
        town=community.town.name,
        community=community.name,
        address=station.address,
        contact_person=station.contact_person,
        contact_phone=station.contact_phone,
    )


@dataclass(frozen=True)
class StationEdit:
    name: str
    address: str
    contact_person: str
    contact_phone: str


def update_station(session: Session, actor: Actor, data: StationEdit) -> None:
    """Change the station's name and contacts. The code is fixed: volunteer numbers carry it."""
    require(actor, Permission.MANAGE_STATION)
    station = session.get(Station, actor.station_id)
    assert station is not None
    values = {
        "name": _required(data.name, _("站点名称"), "station_name"),
        "address": data.address.strip()[:200],
        "contact_person": data.contact_person.strip()[:50],
        "contact_phone": validate_phone(data.contact_phone) if data.contact_phone.strip() else "",
    }
    changes = audit.diff({k: getattr(station, k) for k in values}, values)
    for key, value in values.items():
        setattr(station, key, value)
    if changes:
        audit.record(session, actor, "update", "station", station.id,
                     summary=_("修改站点信息：{n}").format(n=station.name), changes=changes)
