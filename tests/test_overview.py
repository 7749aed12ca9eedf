"""The Monday overview: the numbers a station head reads, from data made through the ORM."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from station_app.db import Database
from station_app.errors import PermissionDenied
from station_app.models import KeyGroup, Need, Recipient, ServiceItem, Visit
from station_app.services.auth import Actor
from station_app.services.catalogue import list_key_groups, save_key_group
from station_app.services.needs import NeedStatus
from station_app.services.overview import Overview, station_overview

TODAY = date.today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def add_recipient(db: Database, admin: Actor, name: str, groups: list[str], *, registered_days_ago: int,
                  active: bool = True) -> int:
    # Registered at local noon, so the local registration date is unambiguous.
    local_noon = datetime.combine(days_ago(registered_days_ago), time(12)).astimezone()
    with db.session() as session:
        key_groups = list(session.scalars(
            select(KeyGroup).where(KeyGroup.station_id == admin.station_id, KeyGroup.name.in_(groups))
        ))
        assert len(key_groups) == len(groups)
        recipient = Recipient(
            station_id=admin.station_id, name=name, name_initials="x", name_pinyin="x", gender="女",
            birth_date=date(1940, 1, 1), key_groups=key_groups, active=active,
            created_at=local_noon.astimezone(timezone.utc),
        )
        session.add(recipient)
        session.flush()
        return recipient.id


def add_visit(db: Database, admin: Actor, recipient_id: int, on: date) -> None:
    with db.session() as session:
        session.add(Visit(station_id=admin.station_id, recipient_id=recipient_id, visited_on=on,
                          visitor_kind="staff", visitor_name="陈站长", method="home"))


def add_need(db: Database, admin: Actor, recipient_id: int, what: str, status: NeedStatus, *,
             raised_days_ago: int = 1, urgency: str = "normal") -> int:
    """``what``: a menu item's name, or free text when it is not on the menu."""
    with db.session() as session:
        item_id = session.scalar(
            select(ServiceItem.id).where(ServiceItem.station_id == admin.station_id, ServiceItem.name == what)
        )
        need = Need(
            station_id=admin.station_id, recipient_id=recipient_id, service_item_id=item_id,
            free_text="" if item_id else what, urgency=urgency, status=status.value,
            raised_on=days_ago(raised_days_ago),
        )
        session.add(need)
        session.flush()
        return need.id


def overview(db: Database, actor: Actor) -> Overview:
    with db.session(write=False) as session:
        return station_overview(session, actor, TODAY)


def table(ov: Overview) -> dict[str, dict[str, int]]:
    """The key group × category table as the head reads it: row label -> {column label: count}, zeros left out."""
    labels = {c.code: c.label for c in ov.columns}
    out = {}
    for row in ov.unmet_by_group:
        cells = {labels[code]: n for code, n in row.counts.items() if n}
        cells["合计"] = row.total
        out[row.label] = cells
    return out


def make_station(db: Database, admin: Actor) -> dict[str, int]:
    """A small station: a widow in two key groups, a left-behind child, an old man never visited,
    a migrant worker, a resident in no key group, and one who moved away."""
    ids = {
        "王阿婆": add_recipient(db, admin, "王阿婆", ["空巢老人", "残疾人"], registered_days_ago=100),
        "李小明": add_recipient(db, admin, "李小明", ["留守儿童"], registered_days_ago=10),
        "陈伯": add_recipient(db, admin, "陈伯", ["空巢老人"], registered_days_ago=50),
        "赵大哥": add_recipient(db, admin, "赵大哥", ["农民工"], registered_days_ago=200),
        "张三": add_recipient(db, admin, "张三", [], registered_days_ago=300),
        "刘奶奶": add_recipient(db, admin, "刘奶奶", ["空巢老人"], registered_days_ago=300, active=False),
    }
    add_visit(db, admin, ids["王阿婆"], days_ago(45))
    add_visit(db, admin, ids["王阿婆"], days_ago(20))  # the last one counts
    add_visit(db, admin, ids["赵大哥"], days_ago(61))
    add_visit(db, admin, ids["张三"], days_ago(300))

    add_need(db, admin, ids["王阿婆"], "维修家电", NeedStatus.PENDING_ASSESSMENT, raised_days_ago=30, urgency="soon")
    add_need(db, admin, ids["王阿婆"], "生活照顾", NeedStatus.PENDING_MATCH, raised_days_ago=5)
    add_need(db, admin, ids["王阿婆"], "代交水电费", NeedStatus.MATCHED, raised_days_ago=60)
    add_need(db, admin, ids["李小明"], "学业辅导", NeedStatus.PENDING_MATCH, raised_days_ago=12)
    add_need(db, admin, ids["李小明"], "陪同去医院复诊", NeedStatus.PENDING_ASSESSMENT, raised_days_ago=3,
             urgency="urgent")
    add_need(db, admin, ids["张三"], "社区巡逻", NeedStatus.PENDING_ASSESSMENT, raised_days_ago=40)
    add_need(db, admin, ids["张三"], "理发", NeedStatus.DONE, raised_days_ago=90)
    add_need(db, admin, ids["张三"], "维修家电", NeedStatus.CLOSED, raised_days_ago=80)
    add_need(db, admin, ids["陈伯"], "代送快递", NeedStatus.MATCHED, raised_days_ago=15)
    return ids


@pytest.fixture
def station(db: Database, admin: Actor) -> dict[str, int]:
    return make_station(db, admin)


def test_an_empty_station_reads_zero_everywhere(db, admin):
    ov = overview(db, admin)
    assert ov.unmet_total == 0 and ov.matched_share is None and ov.longest_open == [] and ov.overdue_visits == []
    assert all(n == 0 for n in ov.status_counts.values())
    # Every active key group is listed, even with nothing waiting, then the no-group and total rows.
    labels = [row.label for row in ov.unmet_by_group]
    assert labels[:2] == ["空巢老人", "留守儿童"] and labels[-2:] == ["不属于重点对象", "合计（每条需求计一次）"]
    assert [c.label for c in ov.columns] == ["帮扶行动", "便民行动", "文明行动", "平安行动", "护苗行动", "文化行动",
                                             "自填需求"]


def test_the_numbers_a_head_reads_on_monday(db, admin, station):
    ov = overview(db, admin)
    assert ov.today == TODAY
    assert {s.label: n for s, n in ov.status_counts.items()} == {
        "待评估": 3, "待对接": 2, "已对接": 2, "已完成": 1, "已关闭": 1,
    }
    assert ov.unmet_total == 5
    # 已对接比例: (2 matched + 1 done) / (9 needs − 1 closed).
    assert (ov.matched_count, ov.not_closed_count) == (3, 8)
    assert ov.matched_share == pytest.approx(0.375)


def test_unmet_needs_by_key_group_count_a_household_in_two_groups_under_both(db, admin, station):
    rows = table(overview(db, admin))
    # 王阿婆 is both 空巢老人 and 残疾人: her two unmet needs show in both rows.
    assert rows["空巢老人"] == {"帮扶行动": 1, "便民行动": 1, "合计": 2}
    assert rows["残疾人"] == {"帮扶行动": 1, "便民行动": 1, "合计": 2}
    assert rows["留守儿童"] == {"护苗行动": 1, "自填需求": 1, "合计": 2}
    assert rows["农民工"] == {"合计": 0}  # 赵大哥 has no need
    assert rows["不属于重点对象"] == {"平安行动": 1, "合计": 1}
    # The total row counts each need once: 5, not 2 + 2 + 2 + 1.
    assert rows["合计（每条需求计一次）"] == {"帮扶行动": 1, "便民行动": 1, "平安行动": 1, "护苗行动": 1,
                                      "自填需求": 1, "合计": 5}


def test_needs_open_longest_come_first_with_who_what_and_how_long(db, admin, station):
    ov = overview(db, admin)
    shown = [(n.recipient_name, n.what, n.days_open, n.urgency_label, n.status.label) for n in ov.longest_open]
    assert shown == [
        ("张三", "社区巡逻", 40, "一般", "待评估"),
        ("王阿婆", "维修家电", 30, "较急", "待评估"),
        ("李小明", "学业辅导", 12, "一般", "待对接"),
        ("王阿婆", "生活照顾", 5, "一般", "待对接"),
        ("李小明", "陪同去医院复诊", 3, "紧急", "待评估"),
    ]
    assert ov.longest_open[-1].category_label == "自填需求"
    assert ov.longest_open[0].category_label == "平安行动"


def test_longest_open_shows_only_the_ten_oldest(db, admin):
    rid = add_recipient(db, admin, "孙阿姨", ["空巢老人"], registered_days_ago=5)
    for n in range(12):
        add_need(db, admin, rid, f"需求{n}", NeedStatus.PENDING_MATCH, raised_days_ago=n + 1)
    ov = overview(db, admin)
    assert [n.days_open for n in ov.longest_open] == list(range(12, 2, -1))
    assert ov.unmet_total == 12


def test_overdue_visits_most_overdue_first(db, admin, station):
    ov = overview(db, admin)
    shown = [(v.name, v.interval_days, v.last_visit, v.days_overdue) for v in ov.overdue_visits]
    assert shown == [
        # Never visited: counted from registration 50 days ago, 空巢老人 every 14 days.
        ("陈伯", 14, None, 36),
        # Two groups: the shorter rule (14 days, not 30) from the last of her two visits.
        ("王阿婆", 14, days_ago(20), 6),
        ("赵大哥", 60, days_ago(61), 1),
    ]
    assert ov.overdue_visits[1].key_groups == ["空巢老人", "残疾人"]
    assert ov.overdue_visits[0].due_on == days_ago(36)
    # 李小明 (due in 20 days), 张三 (no key group) and 刘奶奶 (moved away) are not listed.


def test_overdue_visits_follow_the_visit_rules_the_head_sets(db, admin, station):
    with db.session(write=False) as session:
        groups = {g.name: g for g in list_key_groups(session, admin)}
    with db.session() as session:
        # 空巢老人 without a rule: 王阿婆 now follows 残疾人 (30 days), 陈伯 has no rule left.
        save_key_group(session, admin, groups["空巢老人"].id, "空巢老人", None)
        # 农民工 retired: its rule no longer applies.
        save_key_group(session, admin, groups["农民工"].id, "农民工", 60, active=False)
    ov = overview(db, admin)
    assert ov.overdue_visits == []
    add_visit(db, admin, station["李小明"], days_ago(31))  # due every 30 days
    assert [(v.name, v.days_overdue) for v in overview(db, admin).overdue_visits] == [("李小明", 1)]


def test_a_visit_today_clears_the_overdue_entry_and_the_due_day_itself_is_not_overdue(db, admin):
    rid = add_recipient(db, admin, "周爷爷", ["空巢老人"], registered_days_ago=14)
    assert overview(db, admin).overdue_visits == []  # due today: not yet overdue
    add_visit(db, admin, rid, days_ago(15))
    assert [v.days_overdue for v in overview(db, admin).overdue_visits] == [1]
    add_visit(db, admin, rid, TODAY)
    assert overview(db, admin).overdue_visits == []


def test_a_retired_key_group_keeps_its_row_only_while_needs_wait(db, admin, station):
    with db.session(write=False) as session:
        groups = {g.name: g for g in list_key_groups(session, admin)}
    with db.session() as session:
        save_key_group(session, admin, groups["残疾人"].id, "残疾人", 30, active=False)
        save_key_group(session, admin, groups["流动儿童"].id, "流动儿童", 30, active=False)
    rows = table(overview(db, admin))
    assert rows["残疾人（已停用）"]["合计"] == 2
    assert "流动儿童" not in rows and "流动儿童（已停用）" not in rows


def test_a_viewer_reads_the_overview_and_other_stations_data_stays_out(db, admin, viewer, station):
    ov = overview(db, viewer)
    assert ov.unmet_total == 5
    other = Actor(None, "x", "x", viewer.role, admin.station_id + 999)
    assert overview(db, other).unmet_total == 0


def test_someone_without_view_permission_is_refused(db, admin, monkeypatch):
    from station_app.services import auth

    monkeypatch.setitem(auth.ROLE_PERMISSIONS, auth.Role.VIEWER, frozenset())
    nobody = Actor(None, "nobody", "nobody", auth.Role.VIEWER, admin.station_id)
    with db.session(write=False) as session, pytest.raises(PermissionDenied):
        station_overview(session, nobody, TODAY)
