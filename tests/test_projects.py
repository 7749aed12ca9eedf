"""Projects (项目设计): designed from unmet needs, which become 已对接; bad input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import DuplicateError, NotFound, PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, Need, Project, Recipient, Recruitment, Station
from station_app.services import projects as svc
from station_app.services import recruitment as rec_svc
from station_app.services.auth import Actor
from station_app.services.catalogue import list_key_groups, list_menu
from station_app.services.needs import NeedInput, NeedStatus, add_need, change_need_status, need_history

TODAY = date.today()


# --- helpers shared with the recruitment and GUI tests -------------------------------------------
def make_recipient(db: Database, actor: Actor, name: str = "黄婆婆", station_id: int | None = None) -> int:
    with db.session() as session:
        recipient = Recipient(
            station_id=station_id or actor.station_id, name=name, name_initials="hpp", name_pinyin="huangpopo",
            gender="女", birth_date=date(1940, 5, 1), building="3", unit="1", room="502", phone="13800001111",
        )
        session.add(recipient)
        session.flush()
        return recipient.id


def menu_item(db: Database, actor: Actor, name: str) -> int:
    with db.session(write=False) as session:
        return next(i.id for i in list_menu(session, actor) if i.name == name)


def key_group(db: Database, actor: Actor, name: str) -> int:
    with db.session(write=False) as session:
        return next(g.id for g in list_key_groups(session, actor) if g.name == name)


def two_needs(db: Database, actor: Actor) -> list[int]:
    """黄婆婆 needs 维修家电 and 代交水电费 (both 待评估)."""
    recipient = make_recipient(db, actor)
    with db.session() as session:
        return [
            add_need(session, actor, NeedInput(recipient, service_item_id=menu_item(db, actor, "维修家电"))),
            add_need(session, actor, NeedInput(recipient, free_text="帮忙代交水电费")),
        ]


def project_input(db: Database, actor: Actor, **changes) -> svc.ProjectInput:
    values = dict(
        name="银龄关爱", category="help", key_group_ids=[key_group(db, actor, "空巢老人")],
        goal="为空巢老人提供上门家电检修和代办服务", starts_on=TODAY, ends_on=TODAY + timedelta(days=180),
        lead_social_worker="林社工", partner_team_id=None, partner_org="中山市慈善万人行志愿队",
    )
    values.update(changes)
    return svc.ProjectInput(**values)


def create(db: Database, actor: Actor, data: svc.ProjectInput, need_ids: list[int]) -> int:
    with db.session() as session:
        return svc.create_project(session, actor, data, need_ids)


def count(db: Database, model) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def statuses(db: Database, need_ids: list[int]) -> list[str]:
    with db.session(write=False) as session:
        return [session.get(Need, n).status for n in need_ids]


def snapshot(db: Database) -> tuple:
    """What a refused action must leave untouched."""
    with db.session(write=False) as session:
        needs = session.execute(select(Need.id, Need.status, Need.project_id).order_by(Need.id)).all()
        projects = session.execute(select(Project.id, Project.name, Project.status, Project.version)).all()
    return needs, projects, count(db, AuditEntry)


# --- tests ---------------------------------------------------------------------------------------
def test_project_from_two_needs_matches_them_and_lists_the_counts(db: Database, clerk: Actor):
    needs = two_needs(db, clerk)
    project_id = create(db, clerk, project_input(db, clerk), needs)
    assert statuses(db, needs) == ["matched", "matched"]
    with db.session(write=False) as session:
        [row] = svc.list_projects(session, clerk)
        detail = svc.get_project(session, clerk, project_id)
        history = need_history(session, clerk, needs[0])
    assert (row.name, row.category_label, row.key_groups, row.lead_social_worker) == (
        "银龄关爱", "帮扶行动", ["空巢老人"], "林社工")
    assert (row.needs_total, row.needs_open, row.status_label) == (2, 2, "进行中")
    assert row.partner == "中山市慈善万人行志愿队"
    assert [n.what for n in detail.needs] == ["维修家电", "帮忙代交水电费"]
    assert {n.project_name for n in detail.needs} == {"银龄关爱"}
    assert history[-1].to_status == NeedStatus.MATCHED and history[-1].project_name == "银龄关爱"
    with db.session(write=False) as session:
        summaries = list(session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "project")))
    assert summaries == ["新建项目：银龄关爱（对应 2 条需求）"]


def test_done_needs_no_longer_count_as_open(db: Database, clerk: Actor):
    needs = two_needs(db, clerk)
    project_id = create(db, clerk, project_input(db, clerk), needs)
    with db.session() as session:
        change_need_status(session, clerk, needs[0], NeedStatus.DONE)
    with db.session(write=False) as session:
        [row] = svc.list_projects(session, clerk)
        detail = svc.get_project(session, clerk, project_id)
    assert (row.needs_total, row.needs_open) == (2, 1)
    assert detail.needs_open == 1


def other_station_need(db: Database, actor: Actor) -> int:
    with db.session() as session:
        mine = session.get(Station, actor.station_id)
        other = Station(community_id=mine.community_id, name="富华苑物业志愿服务站", code="SQ0202")
        session.add(other)
        session.flush()
        recipient = Recipient(
            station_id=other.id, name="李伯", name_initials="lb", name_pinyin="libo", gender="男",
            birth_date=date(1938, 1, 1),
        )
        session.add(recipient)
        session.flush()
        need = Need(station_id=other.id, recipient_id=recipient.id, free_text="陪同就医", status="pending_match",
                    raised_on=TODAY)
        session.add(need)
        session.flush()
        return need.id


@pytest.mark.parametrize(
    "case, message",
    [
        ("no needs", "项目至少要对应一条需求"),
        ("other station", "不存在或不属于本站"),
        ("closed need", "需求“黄婆婆 — 维修家电”目前是“已关闭”"),
        ("matched need", "需求“黄婆婆 — 维修家电”目前是“已对接”"),
        ("end before start", "结束日期"),
        ("impossible date", "2026年2月30日不存在"),
        ("empty name", "请填写项目名称"),
        ("no lead", "请填写负责社工"),
        ("bad category", "请选择项目类别"),
    ],
)
def test_bad_projects_are_refused_and_change_nothing(db: Database, clerk: Actor, case: str, message: str):
    needs = two_needs(db, clerk)
    data = project_input(db, clerk)
    need_ids = list(needs)
    if case == "no needs":
        need_ids = []
    elif case == "other station":
        need_ids.append(other_station_need(db, clerk))
    elif case == "closed need":
        with db.session() as session:
            change_need_status(session, clerk, needs[0], NeedStatus.CLOSED, "老人已搬去女儿家")
    elif case == "matched need":
        create(db, clerk, project_input(db, clerk, name="早先的项目"), [needs[0]])
    elif case == "end before start":
        data = project_input(db, clerk, ends_on=TODAY - timedelta(days=1))
    elif case == "impossible date":
        data = project_input(db, clerk, starts_on="2026-02-30")
    elif case == "empty name":
        data = project_input(db, clerk, name="  ")
    elif case == "no lead":
        data = project_input(db, clerk, lead_social_worker="")
    elif case == "bad category":
        data = project_input(db, clerk, category="sports")
    before = snapshot(db)
    with pytest.raises(ValidationError) as excinfo, db.session() as session:
        svc.create_project(session, clerk, data, need_ids)
    assert message in excinfo.value.message
    assert snapshot(db) == before


def test_project_names_are_unique_per_station(db: Database, clerk: Actor):
    needs = two_needs(db, clerk)
    create(db, clerk, project_input(db, clerk), [needs[0]])
    before = snapshot(db)
    with pytest.raises(DuplicateError, match="已经有名为“银龄关爱”的项目"), db.session() as session:
        svc.create_project(session, clerk, project_input(db, clerk), [needs[1]])
    assert snapshot(db) == before
    assert statuses(db, needs) == ["matched", "pending_assessment"]


def test_add_needs_update_and_stale_edit(db: Database, clerk: Actor, admin: Actor):
    needs = two_needs(db, clerk)
    project_id = create(db, clerk, project_input(db, clerk), [needs[0]])
    with db.session() as session:
        svc.add_needs_to_project(session, clerk, project_id, [needs[1]])
    assert statuses(db, needs) == ["matched", "matched"]
    with db.session(write=False) as session:
        detail = svc.get_project(session, clerk, project_id)
    youth = key_group(db, clerk, "留守儿童")
    edited = project_input(db, clerk, name="银龄关爱（二期）", key_group_ids=[*detail.key_group_ids, youth])
    with db.session() as session:
        svc.update_project(session, admin, project_id, edited, expected_version=detail.version)
    with db.session(write=False) as session:
        [row] = svc.list_projects(session, clerk)
    assert row.name == "银龄关爱（二期）" and row.key_groups == ["空巢老人", "留守儿童"]
    # The clerk still holds the copy opened before the administrator's edit.
    before = snapshot(db)
    with pytest.raises(StationError, match="刚被其他人改过"), db.session() as session:
        svc.update_project(session, clerk, project_id, project_input(db, clerk), expected_version=detail.version)
    assert snapshot(db) == before
    # A key-group-only edit bumps the version as well.
    with db.session(write=False) as session:
        version = svc.get_project(session, clerk, project_id).version
    with db.session() as session:
        svc.update_project(session, clerk, project_id, project_input(db, clerk, name="银龄关爱（二期）"),
                           expected_version=version)
    with db.session(write=False) as session:
        assert svc.get_project(session, clerk, project_id).version == version + 1


def test_closing_a_project_ends_its_recruitment_and_freezes_it(db: Database, clerk: Actor):
    needs = two_needs(db, clerk)
    project_id = create(db, clerk, project_input(db, clerk), [needs[0]])
    with db.session() as session:
        notice = rec_svc.publish_recruitment(session, clerk, rec_svc.RecruitmentInput(
            project_id=project_id, title="家电义修志愿者", slots=3, deadline=TODAY + timedelta(days=10),
            contact_name="陈站长", contact_phone="0760-88123456"))
    with pytest.raises(ValidationError, match="原因"), db.session() as session:
        svc.close_project(session, clerk, project_id, " ")
    with db.session() as session:
        svc.close_project(session, clerk, project_id, "经费用完")
    with db.session(write=False) as session:
        [row] = svc.list_projects(session, clerk)
        closed = session.get(Recruitment, notice)
        assert (closed.status, closed.closed_reason) == ("closed", "项目已结束：经费用完")
        version = svc.get_project(session, clerk, project_id).version
    assert row.status_label == "已结束"
    before = snapshot(db)
    with pytest.raises(ValidationError, match="已结束，不能再修改"), db.session() as session:
        svc.add_needs_to_project(session, clerk, project_id, [needs[1]])
    with pytest.raises(ValidationError, match="已结束，不能再修改"), db.session() as session:
        svc.update_project(session, clerk, project_id, project_input(db, clerk, name="新名字"),
                           expected_version=version)
    assert snapshot(db) == before


def test_viewer_cannot_design_projects(db: Database, clerk: Actor, viewer: Actor):
    needs = two_needs(db, clerk)
    before = snapshot(db)
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.create_project(session, viewer, project_input(db, clerk), needs)
    assert snapshot(db) == before
    with db.session(write=False) as session:
        assert svc.list_projects(session, viewer) == []
        with pytest.raises(NotFound):
            svc.get_project(session, viewer, 9999)
