"""Needs: recorded from the menu or free text, moved along their workflow, never silently dropped."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import PermissionDenied, ValidationError
from station_app.models import AuditEntry, Need, NeedStatusChange, Project, Recipient
from station_app.services.auth import Actor
from station_app.services.catalogue import list_menu
from station_app.services.needs import (
    NeedFilter,
    NeedInput,
    NeedStatus,
    add_need,
    change_need_status,
    link_needs_to_project,
    list_needs,
    need_history,
)


def make_recipient(db: Database, actor: Actor, name: str = "黄婆婆", active: bool = True) -> int:
    with db.session() as session:
        recipient = Recipient(
            station_id=actor.station_id, name=name, name_initials="hpp", name_pinyin="huangpopo", gender="女",
            birth_date=date(1940, 5, 1), building="3", unit="1", room="502", phone="13800001111",
            active=active, inactive_reason="" if active else "已搬离",
        )
        session.add(recipient)
        session.flush()
        return recipient.id


def menu_item(db: Database, actor: Actor, name: str) -> int:
    with db.session(write=False) as session:
        return next(i.id for i in list_menu(session, actor) if i.name == name)


def make_project(db: Database, actor: Actor, name: str = "银龄关爱") -> int:
    with db.session() as session:
        project = Project(
            station_id=actor.station_id, name=name, category="help", starts_on=date(2026, 12, 1),
            ends_on=date(2027, 5, 31), lead_social_worker="林社工",
        )
        session.add(project)
        session.flush()
        return project.id


def add(db: Database, actor: Actor, data: NeedInput, **kwargs) -> int:
    with db.session() as session:
        return add_need(session, actor, data, **kwargs)


def status_of(db: Database, need_id: int) -> str:
    with db.session(write=False) as session:
        return session.get(Need, need_id).status


def count(db: Database, model) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_need_from_menu_and_from_free_text(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    repair = menu_item(db, clerk, "维修家电")
    add(db, clerk, NeedInput(recipient, service_item_id=repair, urgency="urgent", preferred_note="周末上午"))
    add(db, clerk, NeedInput(recipient, free_text="帮忙读报纸"))
    with db.session(write=False) as session:
        rows = list_needs(session, clerk, NeedFilter(recipient_id=recipient))
    assert [(r.what, r.category_label, r.urgency_label, r.status.label) for r in rows] == [
        ("维修家电", "便民行动", "紧急", "待评估"),
        ("帮忙读报纸", "", "一般", "待评估"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (NeedInput(None, free_text="买菜"), "必须属于一位服务对象"),
        (NeedInput(-1, free_text="买菜"), "找不到这位服务对象"),
        ("blank", "请从服务菜单选择需求"),
        ("bad-urgency", "紧急程度"),
    ],
)
def test_bad_need_is_refused_and_nothing_written(db: Database, clerk: Actor, data, message: str):
    recipient = make_recipient(db, clerk)
    if data == "blank":
        data = NeedInput(recipient, free_text="   ")
    elif data == "bad-urgency":
        data = NeedInput(recipient, free_text="买菜", urgency="asap")
    with pytest.raises(ValidationError, match=message):
        add(db, clerk, data)
    assert count(db, Need) == 0 and count(db, NeedStatusChange) == 0


def test_inactive_recipient_and_retired_item_are_refused(db: Database, admin: Actor):
    gone = make_recipient(db, admin, "周伯", active=False)
    with pytest.raises(ValidationError, match="已停用（已搬离）"):
        add(db, admin, NeedInput(gone, free_text="买菜"))
    recipient = make_recipient(db, admin)
    item = menu_item(db, admin, "代送快递")
    from station_app.services.catalogue import set_menu_item_active

    with db.session() as session:
        set_menu_item_active(session, admin, item, False)
    with pytest.raises(ValidationError, match="已从服务菜单停用"):
        add(db, admin, NeedInput(recipient, service_item_id=item))


def test_future_raised_date_refused(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        add(db, clerk, NeedInput(recipient, free_text="买菜"), raised_on=date.today() + timedelta(days=1))


def test_workflow_keeps_every_step_with_reasons(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    need = add(db, clerk, NeedInput(recipient, free_text="陪同就医"))
    project = make_project(db, clerk)
    with db.session() as session:
        change_need_status(session, clerk, need, NeedStatus.PENDING_MATCH)
    with db.session() as session:
        link_needs_to_project(session, clerk, [need], project)
    with pytest.raises(ValidationError, match="请填写原因"):
        with db.session() as session:
            change_need_status(session, clerk, need, NeedStatus.CLOSED)
    assert status_of(db, need) == "matched"
    with db.session() as session:
        change_need_status(session, clerk, need, NeedStatus.DONE)
    with pytest.raises(ValidationError, match="不能改为"):
        with db.session() as session:
            change_need_status(session, clerk, need, NeedStatus.CLOSED, "重复登记")
    with db.session(write=False) as session:
        history = need_history(session, clerk, need)
        row = list_needs(session, clerk, NeedFilter(recipient_id=recipient))[0]
    assert [(h.from_status and h.from_status.label, h.to_status.label) for h in history] == [
        (None, "待评估"), ("待评估", "待对接"), ("待对接", "已对接"), ("已对接", "已完成"),
    ]
    assert history[2].project_name == "银龄关爱" and history[2].by == "clerk"
    assert row.project_name == "银龄关爱" and row.days_open == 0


def test_close_and_reopen_need_reasons(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    need = add(db, clerk, NeedInput(recipient, free_text="换灯泡"))
    with db.session() as session:
        change_need_status(session, clerk, need, NeedStatus.CLOSED, "家属已处理")
    with pytest.raises(ValidationError, match="请填写原因"):
        with db.session() as session:
            change_need_status(session, clerk, need, NeedStatus.PENDING_ASSESSMENT, " ")
    with db.session() as session:
        change_need_status(session, clerk, need, NeedStatus.PENDING_ASSESSMENT, "灯又坏了")
    with db.session(write=False) as session:
        reasons = [h.reason for h in need_history(session, clerk, need)]
    assert reasons == ["登记需求", "家属已处理", "灯又坏了"]


def test_matched_only_through_a_project(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    need = add(db, clerk, NeedInput(recipient, free_text="辅导作业"))
    with pytest.raises(ValidationError, match="设计项目"):
        with db.session() as session:
            change_need_status(session, clerk, need, NeedStatus.MATCHED)


def test_linking_refuses_a_need_already_served_and_changes_nothing(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    first = add(db, clerk, NeedInput(recipient, free_text="代交电费"))
    second = add(db, clerk, NeedInput(recipient, free_text="代取快递"))
    with db.session() as session:
        change_need_status(session, clerk, second, NeedStatus.CLOSED, "已由家属办理")
    project = make_project(db, clerk)
    with pytest.raises(ValidationError, match="代取快递.*已关闭"):
        with db.session() as session:
            link_needs_to_project(session, clerk, [first, second], project)
    assert status_of(db, first) == "pending_assessment"
    with pytest.raises(ValidationError, match="至少要对应一条需求"):
        with db.session() as session:
            link_needs_to_project(session, clerk, [], project)


def test_unlinking_a_matched_need_needs_a_reason_and_clears_the_project(db: Database, clerk: Actor):
    recipient = make_recipient(db, clerk)
    need = add(db, clerk, NeedInput(recipient, free_text="陪伴聊天"))
    project = make_project(db, clerk)
    with db.session() as session:
        link_needs_to_project(session, clerk, [need], project)
    with db.session() as session:
        change_need_status(session, clerk, need, NeedStatus.PENDING_MATCH, "项目暂停，另行对接")
    with db.session(write=False) as session:
        row = list_needs(session, clerk, NeedFilter(unmet_only=True))[0]
    assert row.status == NeedStatus.PENDING_MATCH and row.project_id is None


def test_filters_and_search(db: Database, clerk: Actor):
    huang = make_recipient(db, clerk, "黄婆婆")
    chen = make_recipient(db, clerk, "陈伯")
    add(db, clerk, NeedInput(huang, service_item_id=menu_item(db, clerk, "学业辅导")))
    add(db, clerk, NeedInput(chen, service_item_id=menu_item(db, clerk, "维修家电")))
    with db.session(write=False) as session:
        assert [r.what for r in list_needs(session, clerk, NeedFilter(category="youth"))] == ["学业辅导"]
        assert [r.recipient_name for r in list_needs(session, clerk, NeedFilter(text="维修"))] == ["陈伯"]
        assert [r.recipient_name for r in list_needs(session, clerk, NeedFilter(text="黄"))] == ["黄婆婆"]


def test_viewer_cannot_record_needs_and_changes_are_audited(db: Database, clerk: Actor, viewer: Actor):
    recipient = make_recipient(db, clerk)
    with pytest.raises(PermissionDenied):
        add(db, viewer, NeedInput(recipient, free_text="买菜"))
    need = add(db, clerk, NeedInput(recipient, free_text="买菜"))
    with db.session() as session:
        change_need_status(session, clerk, need, NeedStatus.CLOSED, "已有亲属照顾")
    with db.session(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "need").order_by(AuditEntry.id)
        ).all()
    assert actions == ["create", "status"]
