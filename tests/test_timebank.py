"""The time bank (回馈): redeem earned hours, reverse, never below zero, one click one redemption."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, ServiceItem, TimeBankEntry, TimeBankPosting
from station_app.services import catalogue as cat
from station_app.services import chain
from station_app.services import timebank as bank
from station_app.services.auth import Actor
from station_app.services.hours import counted_for, star_level

from .ledger_factory import add_record
from .schedule_factory import make_volunteer, set_status

HOUR = 60


@pytest.fixture
def volunteer(db: Database, admin: Actor) -> int:
    return make_volunteer(db, admin, "李志愿")


def item_id(db: Database, actor: Actor, name: str) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(ServiceItem.id).where(ServiceItem.station_id == actor.station_id,
                                                           ServiceItem.name == name))


def token() -> str:
    return uuid.uuid4().hex


def redeem(db: Database, actor: Actor, volunteer_id: int, item: str = "维修家电", **kw) -> bank.EntryRow:
    data = bank.RedeemInput(
        volunteer_id=volunteer_id, service_item_id=item_id(db, actor, item), quantity=kw.pop("quantity", 1),
        provider=kw.pop("provider", "便民维修服务队"), received_on=kw.pop("received_on", date.today()),
        note=kw.pop("note", ""), request_token=kw.pop("request_token", None) or token(),
    )
    with db.session() as session:
        return bank.redeem(session, actor, data, **kw)


def reverse(db: Database, actor: Actor, entry_id: int, reason: str = "登记错了服务项目", request_token: str = "") -> bank.EntryRow:
    with db.session() as session:
        return bank.reverse(session, actor, entry_id, reason, request_token or token())


def account(db: Database, actor: Actor, volunteer_id: int) -> bank.Balance:
    with db.session(write=False) as session:
        return bank.balance(session, actor, volunteer_id)


def state(db: Database) -> tuple[int, int, int, tuple[int, str]]:
    """What a refusal must leave untouched: entries, postings, audit lines, the chain head."""
    with db.session(write=False) as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        return count(TimeBankEntry), count(TimeBankPosting), count(AuditEntry), chain.head_of(session, 1)


def refused(db: Database, call, message: str) -> None:  # noqa: ANN001
    before = state(db)
    with pytest.raises(StationError) as exc:
        call()
    assert message in exc.value.message
    assert state(db) == before


# --- redeeming -----------------------------------------------------------------------------------
def test_redeeming_lowers_the_balance_and_never_the_star_level(db, admin, clerk, volunteer):
    add_record(db, admin, volunteer, 100 * HOUR)
    before = account(db, admin, volunteer)
    assert (before.earned, before.redeemed, before.balance, before.star_level) == (6000, 0, 6000, 1)

    done = redeem(db, clerk, volunteer, "健康义诊", quantity=2, provider="医疗服务队")  # 3 h a visit
    assert (done.kind, done.minutes, done.signed_minutes, done.quantity) == ("redeem", 360, -360, 2)
    assert done.receipt_no == f"SQ0101-HK{date.today().year}-00001"
    assert (done.volunteer_name, done.provider, done.recorder_name) == ("李志愿", "医疗服务队", "clerk")
    after = account(db, admin, volunteer)
    assert (after.earned, after.redeemed, after.balance) == (6000, -360, 5640)
    # 94 h left to spend, still a one-star volunteer: stars count service, not the balance.
    assert after.star_level == 1
    with db.session(write=False) as session:
        assert star_level(counted_for(session, admin.station_id, volunteer)) == 1
    assert star_level(after.balance) == 0  # what a wrong rule would have given


def test_postings_of_every_entry_sum_to_zero_and_the_station_account_holds_the_hours(db, admin, volunteer):
    add_record(db, admin, volunteer, 10 * HOUR)
    first = redeem(db, admin, volunteer, "维修家电")
    redeem(db, admin, volunteer, "理发", quantity=3)
    reverse(db, admin, first.id)
    with db.session(write=False) as session:
        sums = session.execute(select(TimeBankPosting.entry_id, func.sum(TimeBankPosting.minutes),
                                      func.count()).group_by(TimeBankPosting.entry_id)).all()
        ledger = bank.station_ledger(session, admin)
    assert len(sums) == 3 and all(total == 0 and n == 2 for _entry, total, n in sums)
    assert [e.kind_label for e in ledger.entries] == ["兑换", "兑换", "冲正"]
    assert ledger.station_total == ledger.period_total == 90  # 1 h + 1.5 h − 1 h
    assert account(db, admin, volunteer).balance == 600 - 90


def test_more_than_the_balance_is_refused_and_nothing_is_written(db, admin, volunteer):
    add_record(db, admin, volunteer, 3 * HOUR + 30)
    refused(db, lambda: redeem(db, admin, volunteer, "维修家电", quantity=4),
            "余额不足：李志愿 可用 3.5 小时，本次兑换需要 4 小时。")
    assert account(db, admin, volunteer).balance == 210
    redeem(db, admin, volunteer, "维修家电", quantity=3)  # exactly what fits
    refused(db, lambda: redeem(db, admin, volunteer, "维修家电"), "余额不足：李志愿 可用 0.5 小时，本次兑换需要 1 小时。")
    assert account(db, admin, volunteer).balance == 30


def test_a_volunteer_without_hours_cannot_redeem(db, admin, volunteer):
    refused(db, lambda: redeem(db, admin, volunteer, "理发"), "余额不足：李志愿 可用 0 小时，本次兑换需要 0.5 小时。")


def test_the_same_request_token_saved_twice_redeems_once(db, admin, volunteer):
    add_record(db, admin, volunteer, 5 * HOUR)
    same = token()
    first = redeem(db, admin, volunteer, "维修家电", request_token=same)
    second = redeem(db, admin, volunteer, "维修家电", request_token=same)
    assert second.id == first.id and second.receipt_no == first.receipt_no
    assert account(db, admin, volunteer).balance == 4 * HOUR
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(TimeBankEntry)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "time_bank_entry")) == 1


def test_refusals_name_their_rule_and_change_nothing(db, admin, volunteer):
    add_record(db, admin, volunteer, 20 * HOUR)
    tomorrow = date.today() + timedelta(days=1)
    refused(db, lambda: redeem(db, admin, volunteer, received_on=tomorrow),
            f"接受服务的日期 {tomorrow.isoformat()} 在将来")
    for bad in (0, -1, 100, True):
        refused(db, lambda bad=bad: redeem(db, admin, volunteer, quantity=bad), "数量应为 1 到 99 之间的整数")
    refused(db, lambda: redeem(db, admin, volunteer, provider="   "), "请填写服务提供方")
    refused(db, lambda: redeem(db, admin, volunteer, received_on=None), "请填写接受服务的日期")
    refused(db, lambda: redeem(db, admin, volunteer, "结对帮扶"), "“结对帮扶”不是可用服务时长兑换的项目")
    with db.session() as session:
        cat.set_menu_item_active(session, admin, item_id(db, admin, "理发"), False)
    refused(db, lambda: redeem(db, admin, volunteer, "理发"), "“理发”已停用，不能兑换。")
    with db.session() as session:
        session.get(ServiceItem, item_id(db, admin, "代送快递")).redeem_minutes = None  # an item never priced
    refused(db, lambda: redeem(db, admin, volunteer, "代送快递"), "“代送快递”还没有兑换价")
    assert account(db, admin, volunteer).balance == 20 * HOUR


def test_only_registered_volunteers_redeem_and_only_staff_who_may(db, admin, viewer, volunteer):
    add_record(db, admin, volunteer, 5 * HOUR)
    set_status(db, volunteer, "suspended")
    refused(db, lambda: redeem(db, admin, volunteer), "李志愿 的状态是“暂停”：只有已注册的志愿者可以兑换时长。")
    set_status(db, volunteer, "registered")
    before = state(db)
    with pytest.raises(PermissionDenied):
        redeem(db, viewer, volunteer)
    assert state(db) == before
    with db.session(write=False) as session:
        assert bank.balance(session, viewer, volunteer).balance == 300  # but may look


# --- reversing -----------------------------------------------------------------------------------
def test_a_reversal_restores_the_balance_and_keeps_the_original(db, admin, volunteer):
    add_record(db, admin, volunteer, 6 * HOUR)
    done = redeem(db, admin, volunteer, "健康义诊")
    assert account(db, admin, volunteer).balance == 3 * HOUR
    back = reverse(db, admin, done.id, "志愿者当天未接受服务")
    assert (back.kind, back.reverses_id, back.reverses_receipt_no, back.signed_minutes, back.note) == (
        "reversal", done.id, done.receipt_no, 180, "志愿者当天未接受服务")
    assert back.receipt_no.endswith("-00002")
    assert account(db, admin, volunteer).balance == 6 * HOUR
    with db.session(write=False) as session:
        shown = bank.history(session, admin, volunteer)
        report = chain.verify_chain(session, admin.station_id)
        summaries = list(session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "time_bank_entry")))
    assert [e.kind for e in shown] == ["reversal", "redeem"]  # newest first, both kept
    assert shown[1].reversed_by_receipt_no == back.receipt_no and not shown[1].can_reverse
    assert report.ok and report.checked == 3  # the service record and the two entries
    assert summaries[-1].startswith(f"冲正 {back.receipt_no}（原兑换 {done.receipt_no}）")


def test_an_entry_is_reversed_once_and_a_reversal_never(db, admin, volunteer):
    add_record(db, admin, volunteer, 6 * HOUR)
    done = redeem(db, admin, volunteer)
    same = token()
    back = reverse(db, admin, done.id, request_token=same)
    assert reverse(db, admin, done.id, request_token=same).id == back.id  # a second click, not a second reversal
    refused(db, lambda: reverse(db, admin, done.id), f"{done.receipt_no} 已经冲正过（冲正凭证 {back.receipt_no}），一笔兑换只能冲正一次。")
    refused(db, lambda: reverse(db, admin, back.id), f"{back.receipt_no} 本身是一笔冲正，冲正不能再冲正")
    refused(db, lambda: reverse(db, admin, done.id, reason="  "), "冲正必须写明原因。")
    assert account(db, admin, volunteer).balance == 6 * HOUR


# --- the receipt's data ---------------------------------------------------------------------------
def test_the_receipt_carries_the_balance_as_it_stood_and_no_personal_numbers(db, admin, volunteer):
    add_record(db, admin, volunteer, 10 * HOUR)
    first = redeem(db, admin, volunteer, "维修家电", quantity=2, provider="张师傅家电维修店")
    add_record(db, admin, volunteer, 5 * HOUR, on=date.today() - timedelta(days=3))  # later service
    with db.session(write=False) as session:
        data = bank.receipt(session, admin, first.id)
    assert (data.kind, data.volunteer_name, data.service_name, data.quantity, data.hours) == (
        "redeem", "李志愿", "维修家电", 2, "2")
    assert data.balance_after == "8"  # as it stood then, not 13 as it stands now
    assert data.volunteer_no.startswith("SQ0101-T") and data.provider == "张师傅家电维修店"
    assert data.station_name == "康华花园物业志愿服务站"


def test_redeemable_items_list_only_active_priced_ones(db, admin):
    with db.session(write=False) as session:
        items = {i.name: i for i in bank.redeemable_items(session, admin)}
    assert items["维修家电"].price_minutes == 60 and items["维修家电"].label == "维修家电（1 小时/次）"
    assert "结对帮扶" not in items and "理发" in items


# --- two clerks at once --------------------------------------------------------------------------
def run_at_once(calls) -> tuple[list, list[BaseException]]:  # noqa: ANN001
    results: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def run(call) -> None:  # noqa: ANN001
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_clerks_redeeming_at_once_cannot_overspend(db, admin, clerk, volunteer):
    add_record(db, admin, volunteer, 2 * HOUR)
    results, errors = run_at_once([lambda actor=actor: redeem(db, actor, volunteer, "维修家电")
                                   for actor in (admin, clerk, admin, clerk)])
    assert len(results) == 2 and len(errors) == 2
    assert all(isinstance(e, ValidationError) and e.message.startswith("余额不足") for e in errors)
    assert account(db, admin, volunteer).balance == 0
    assert sorted(r.receipt_no[-5:] for r in results) == ["00001", "00002"]
    with db.session(write=False) as session:
        assert chain.verify_chain(session, admin.station_id).ok


def test_the_same_click_arriving_twice_at_once_redeems_once(db, admin, volunteer):
    add_record(db, admin, volunteer, 5 * HOUR)
    same = token()
    results, errors = run_at_once([lambda: redeem(db, admin, volunteer, request_token=same)] * 2)
    assert errors == [] and len({r.id for r in results}) == 1
    assert account(db, admin, volunteer).balance == 4 * HOUR


# --- the menu's time-bank price ------------------------------------------------------------------
MEAL = cat.MenuItemInput(category="help", name="上门送餐", typical_minutes=50, redeemable=True, redeem_minutes=90)


def test_a_menu_item_price_is_validated_and_audited(db, admin):
    before = state(db)
    for bad, message in ((0, "必须填写兑换价"), (-15, "必须填写兑换价"), (50, "0.25 小时（15 分钟）的整数倍"),
                         (25 * HOUR, "不能超过 24 小时")):
        with pytest.raises(ValidationError) as exc, db.session() as session:
            cat.create_menu_item(session, admin, replace(MEAL, redeem_minutes=bad))
        assert message in exc.value.message and exc.value.field == "redeem_minutes"
    assert state(db) == before
    with db.session() as session:
        new_id = cat.create_menu_item(session, admin, MEAL)
    with db.session() as session:
        cat.update_menu_item(session, admin, new_id, replace(MEAL, redeem_minutes=120))
    with db.session() as session:
        info = cat.get_menu_item(session, admin, new_id)
        changes = session.scalars(select(AuditEntry.changes).where(AuditEntry.entity == "service_item")
                                  .order_by(AuditEntry.id)).all()
    assert info.redeem_minutes == 120 and info.redeem_text == "可兑换 2 小时"
    assert changes[0]["redeem_minutes"] == [None, 90] and changes[-1] == {"redeem_minutes": [90, 120]}


def test_a_price_left_out_keeps_the_old_one_or_takes_the_typical_duration(db, admin):
    with db.session() as session:
        new_id = cat.create_menu_item(session, admin, replace(MEAL, redeem_minutes=None))
    with db.session() as session:
        assert cat.get_menu_item(session, admin, new_id).redeem_minutes == 60  # 50 min, up to the quarter
        cat.update_menu_item(session, admin, new_id, replace(MEAL, redeem_minutes=None, description="午餐"))
    with db.session() as session:
        assert cat.get_menu_item(session, admin, new_id).redeem_minutes == 60
        cat.update_menu_item(session, admin, new_id, replace(MEAL, redeemable=False))
    with db.session() as session:
        info = cat.get_menu_item(session, admin, new_id)
    assert (info.redeemable, info.redeem_minutes, info.redeem_text) == (False, None, "")
