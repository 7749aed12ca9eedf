"""Transfer-package demo: a volunteer who moved in from another station, with their file.

A neighbouring station (翠湖山庄物业志愿服务站, SQ0105) is set up in a scratch database of its own:
the volunteer registers there, serves a few times, attends a pre-service training, is honoured and
redeems hours. That station exports the volunteer's transfer package, signed with its key; the demo
station trusts the key (as an administrator would after comparing the fingerprint by phone) and
imports the package through ``services/packages.py``, like 系统 → 导入转移包…. A new checkpoint is
signed afterwards, so 校验台账 finds the ledger signed to its head.

The volunteer is the demo station's newest registered volunteer with no service here yet (matched by
ID number, their phone there differs and ours is kept); the services date from their registration
here on and stay below one star, so the demo's other stories (star levels, registration order, the
ledger's rules) are as they were.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ServiceItem, ServiceRecord, TrainingEnrolment, TrainingSession, Volunteer
from . import chain, honours, packages
from . import timebank as bank
from .auth import Actor, authenticate
from .stations import StationSetup, initialise_station
from .volunteers import Status, VolunteerInput, register_volunteer, review_volunteer

ORIGIN_CODE = "SQ0105"
ORIGIN_NAME = "翠湖山庄物业志愿服务站"
SERVICE = (("敬老助老陪伴", "帮扶行动", 180), ("楼道清洁", "文明行动", 120), ("治安巡逻", "平安行动", 150),
           ("四点半课堂", "护苗行动", 120))


def build_transfer_demo(session: Session, admin: Actor, gen, today: date, password: str) -> int | None:  # noqa: ANN001
    """Bring in the earlier file of the station's newest registered volunteer who has no service here yet:
    they moved in from 翠湖山庄 and their old station sent the package. Returns their id (None: nobody fits)."""
    from ..db import open_database

    served = select(ServiceRecord.volunteer_id).where(ServiceRecord.station_id == admin.station_id)
    here = session.scalar(
        select(Volunteer).where(Volunteer.station_id == admin.station_id, Volunteer.status == Status.REGISTERED.value,
                                Volunteer.registered_on <= today, Volunteer.id.not_in(served))
        .order_by(Volunteer.registered_on.desc(), Volunteer.id.desc()).limit(1))
    if here is None:
        return None
    with tempfile.TemporaryDirectory(prefix="station-demo-origin-") as scratch:
        origin = open_database(f"sqlite:///{Path(scratch) / 'origin.db'}")
        try:
            path = _origin_package(origin, here, gen.phone(), today, password, Path(scratch))
        finally:
            origin.dispose()
        info = packages.open_package(path)
        packages.trust_key(session, admin, info, fingerprint=info.fingerprint)
        packages.import_package(session, admin, info, today=today)  # the differing phone: ours is kept
    key = chain.unlock_signing_key(session, admin, password)
    chain.make_checkpoint(session, admin, key, today)
    return here.id


def _origin_package(origin, person: Volunteer, phone: str, today: date, password: str, folder: Path,  # noqa: ANN001
                    code: str = ORIGIN_CODE, name: str = ORIGIN_NAME) -> Path:
    """A neighbouring station in ``origin`` where ``person`` served; returns their package, signed there."""
    with origin.session() as s:
        initialise_station(s, StationSetup(
            city="中山市", town="东区街道", community="竹苑社区", station_name=name, station_code=code,
            address="中山市东区翠湖路12号", contact_person="黄站长", contact_phone="0760-88765432",
            admin_username="admin", admin_display_name="黄站长", admin_password=password,
            admin_password_confirm=password))
    with origin.session() as s:
        actor = authenticate(s, "admin", password)
    with origin.session() as s:
        joined = person.registered_on or today
        vid = register_volunteer(s, actor, VolunteerInput(
            name=person.name, id_number=person.id_number, phone=phone, gender=person.gender,
            birth_date=person.birth_date, political_status=person.political_status, skills=["陪伴聊天"],
            availability=person.availability), today=today)
        review_volunteer(s, actor, vid, approve=True)
        s.get(Volunteer, vid).registered_on = joined
        # three services a day (07:00, 10:00, 14:00) on the days between joining and yesterday
        days = [joined + timedelta(days=n) for n in range(max(0, (today - joined).days))] or [today]
        slots = [(d, time(h, 0)) for d in days for h in (7, 10, 14)][:12]
        day = joined
        for (day, start), (content, category, minutes) in zip(slots, SERVICE * 3, strict=False):
            starts = datetime.combine(day, start)
            chain.append(s, actor.station_id, ServiceRecord(
                kind="record", volunteer_id=vid, content=content, category=category, place="翠湖山庄",
                organiser=name, service_date=day, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                minutes=minutes, attendance="present", evaluation="good", delta_minutes=minutes,
                recorder_id=actor.user_id, recorder_name=actor.display_name))
        training = TrainingSession(
            station_id=actor.station_id, kind="pre_service", topic="志愿服务礼仪与安全", trainer="社工小黄",
            place="翠湖山庄活动室", starts_at=datetime.combine(joined, time(14, 0)),
            ends_at=datetime.combine(joined, time(16, 0)), credit_minutes=120, capacity=30, status="held")
        s.add(training)
        s.flush()
        s.add(TrainingEnrolment(session_id=training.id, volunteer_id=vid, attendance="present", credited_minutes=120))
        title = next(t for t in honours.list_titles(s, actor) if t.target_kind == "volunteer")
        honours.award_honour(s, actor, honours.HonourInput(title.id, vid, joined, "竹苑社区居委会",
                                                           "热心服务邻里，风雨无阻"))
        item = s.scalar(select(ServiceItem.id).where(ServiceItem.station_id == actor.station_id,
                                                     ServiceItem.name == "维修家电"))
        if item is not None:
            bank.redeem(s, actor, bank.RedeemInput(volunteer_id=vid, service_item_id=item, provider="翠湖便民维修队",
                                                   received_on=day, request_token=uuid.uuid4().hex), today=today)
        key = chain.unlock_signing_key(s, actor, password)
        return packages.export_package(s, actor, key, folder / "moved-in.zsvpkg", volunteer_ids=[vid]).path
