"""The evidence chain: appended links verify; a row changed, removed or a rebuilt chain is reported."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from station_app.db import Database
from station_app.errors import StationError, ValidationError
from station_app.models import LedgerCheckpoint, StationKeyShare
from station_app.services import chain
from station_app.services.auth import Actor, authenticate, set_password
from station_app.services.hours import counted_for, ledger_lines

from .conftest import ADMIN_PASSWORD
from .ledger_factory import add_correction, add_record, pad_and_rebuild
from .schedule_factory import make_volunteer


@pytest.fixture
def volunteer(db: Database, admin: Actor) -> int:
    return make_volunteer(db, admin, "李志愿")


def verify(db: Database, actor: Actor, *checkpoints: chain.Checkpoint) -> chain.VerifyReport:
    with db.session(write=False) as session:
        return chain.verify_chain(session, actor.station_id, checkpoints)


def sign(db: Database, admin: Actor) -> chain.Checkpoint | None:
    with db.session() as session:
        key = chain.unlock_signing_key(session, admin, ADMIN_PASSWORD)
        return chain.make_checkpoint(session, admin, key, date(2026, 11, 30))


def test_a_new_station_has_a_key_and_an_intact_empty_chain(db: Database, admin: Actor):
    with db.session(write=False) as session:
        public = chain.station_public_key(session, admin.station_id)
    assert public is not None and len(chain.fingerprint(public).split()) == 8
    report = verify(db, admin)
    assert report.ok and report.count == 0


def test_links_verify_and_corrections_count(db: Database, admin: Actor, volunteer: int):
    first = add_record(db, admin, volunteer, 120)
    add_record(db, admin, volunteer, 90, on=date(2026, 1, 5))
    add_correction(db, admin, first, 60)
    report = verify(db, admin)
    assert report.ok and report.checked == 4 and report.count == 4
    with db.session(write=False) as session:
        assert counted_for(session, admin.station_id, volunteer) == 150
        line = next(line for line in ledger_lines(session, admin.station_id) if line.record_id == first)
    assert (line.minutes, line.original_minutes, line.counted_minutes) == (60, 120, 60)
    assert [c.status for c in line.corrections] == ["approved"]


def test_a_ledger_longer_than_one_batch_verifies(db: Database, admin: Actor, volunteer: int, monkeypatch):
    """Links are streamed in batches from several tables; a ledger of many batches checks through to the end."""
    monkeypatch.setattr(chain, "_BATCH", 3)
    for day in range(1, 12):
        add_record(db, admin, volunteer, 30, on=date(2026, 1, day))
    report = verify(db, admin)
    assert report.ok and report.checked == report.count == 11


def test_a_row_changed_behind_the_programs_back_is_named(db: Database, admin: Actor, volunteer: int):
    add_record(db, admin, volunteer, 60)
    padded = add_record(db, admin, volunteer, 60, on=date(2026, 2, 1))
    add_record(db, admin, volunteer, 60, on=date(2026, 3, 1))
    with db.session() as session:
        session.execute(text("UPDATE service_records SET minutes = 600, delta_minutes = 600 WHERE id = :id"), {"id": padded})
    report = verify(db, admin)
    assert not report.ok
    [problem] = report.problems
    assert problem.seq == 2 and problem.row_id == padded and "被改动" in problem.message


def test_a_removed_row_is_reported_as_missing(db: Database, admin: Actor, volunteer: int):
    ids = [add_record(db, admin, volunteer, 60, on=date(2026, 1, d)) for d in (1, 2, 3)]
    with db.session() as session:
        session.execute(text("DELETE FROM service_records WHERE id = :id"), {"id": ids[1]})
    report = verify(db, admin)
    assert [p.message for p in report.problems] == ["第 2 条不见了：记录被删除了。"]
    with db.session() as session:
        session.execute(text("DELETE FROM service_records WHERE id = :id"), {"id": ids[2]})
    assert any("末尾的记录被删除" in p.message for p in verify(db, admin).problems)


def test_a_rebuilt_chain_is_caught_by_a_checkpoint_typed_from_paper(db: Database, admin: Actor, volunteer: int):
    record_id = add_record(db, admin, volunteer, 60)
    add_record(db, admin, volunteer, 60, on=date(2026, 2, 1))
    checkpoint = sign(db, admin)
    assert checkpoint is not None and checkpoint.count == 2
    paper = f"{checkpoint.count}  {chain.grouped(checkpoint.head_hash).upper()}"
    assert chain.parse_checkpoint(checkpoint.text()) == checkpoint
    assert verify(db, admin, chain.parse_checkpoint(paper)).ok

    pad_and_rebuild(db)  # the first record padded, every hash after it recomputed, the stored checkpoints dropped
    assert verify(db, admin).ok  # the chain alone looks fine …
    report = verify(db, admin, chain.parse_checkpoint(paper))  # … the paper says otherwise
    assert [p.seq for p in report.problems] == [2] and "重建" in report.problems[0].message
    assert record_id


def test_a_forged_stored_checkpoint_is_reported(db: Database, admin: Actor, volunteer: int):
    add_record(db, admin, volunteer, 60)
    sign(db, admin)
    with db.session() as session:
        session.execute(text("UPDATE ledger_checkpoints SET head_hash = :h"), {"h": "ab" * 32})
    messages = [p.message for p in verify(db, admin).problems]
    assert any("签名无效" in m for m in messages) and any("重建" in m for m in messages)


def test_signing_needs_the_administrators_password(db: Database, admin: Actor, volunteer: int):
    add_record(db, admin, volunteer, 60)
    with db.session() as session, pytest.raises(ValidationError, match="密码不正确"):
        chain.unlock_signing_key(session, admin, "wrong-password")
    assert sign(db, admin) is not None
    assert sign(db, admin) is None  # nothing new since
    with db.session(write=False) as session:
        assert session.query(LedgerCheckpoint).count() == 1


def test_the_key_follows_a_password_change_and_an_admin_login_signs(db: Database, admin: Actor, volunteer: int):
    with db.session() as session:
        set_password(session, admin, admin.user_id, "new-secret-1", old_password=ADMIN_PASSWORD)
    with db.session() as session:
        assert chain.unlock_signing_key(session, admin, "new-secret-1")
    add_record(db, admin, volunteer, 60)
    with db.session() as session:
        authenticate(session, admin.username, "new-secret-1")
    with db.session(write=False) as session:
        [checkpoint] = chain.stored_checkpoints(session, admin.station_id)
        assert checkpoint.count == 1 and chain.signature_valid(chain.station_public_key(session, admin.station_id), checkpoint)


def test_a_clerk_cannot_sign_and_an_admin_without_a_share_is_told(db: Database, admin: Actor, clerk: Actor):
    with db.session() as session, pytest.raises(StationError):
        chain.unlock_signing_key(session, clerk, "whatever")
    with db.session() as session:
        session.query(StationKeyShare).delete()
    with db.session() as session, pytest.raises(StationError, match="还没有本站的签名密钥"):
        chain.unlock_signing_key(session, admin, ADMIN_PASSWORD)


@pytest.mark.parametrize(
    ("typed", "words"),
    [("", "空的"), ("12", "看不懂"), ("x 0123", "整数"), ("3 abcd", "64 位"), ("count=3 head=" + "a" * 64 + " date=2026-02-30", "日期")],
)
def test_a_mistyped_checkpoint_is_explained(typed: str, words: str):
    with pytest.raises(ValidationError, match=words):
        chain.parse_checkpoint(typed)


def test_a_second_admin_gets_a_share_only_with_both_passwords(db: Database, admin: Actor, clerk: Actor):
    from station_app.models import AuditEntry
    from station_app.services.auth import Role

    from .conftest import add_user

    deputy = add_user(db, admin, "deputy", Role.ADMIN)  # password-1
    with db.session() as session, pytest.raises(StationError, match="还没有本站的签名密钥"):
        chain.unlock_signing_key(session, deputy, "password-1")
    refusals = [
        (admin, "wrong", deputy.user_id, "password-1", "密码不正确，无法打开"),
        (admin, ADMIN_PASSWORD, deputy.user_id, "wrong", "deputy 的密码不正确"),
        (admin, ADMIN_PASSWORD, clerk.user_id, "password-1", "只能交给本站在用的站长"),
        (clerk, "password-1", deputy.user_id, "password-1", "权限"),
    ]
    for giver, own, to, theirs, words in refusals:
        with db.session() as session, pytest.raises(StationError, match=words):
            chain.share_signing_key(session, giver, own, to, theirs)
    with db.session(write=False) as session:
        assert chain.key_holders(session, admin.station_id) == {admin.user_id}
    with db.session() as session:
        chain.share_signing_key(session, admin, ADMIN_PASSWORD, deputy.user_id, "password-1")
    with db.session() as session:
        key = chain.unlock_signing_key(session, deputy, "password-1")
        assert chain.make_checkpoint(session, deputy, key) is None  # nothing to sign yet, but the key is theirs
        assert session.query(AuditEntry).filter_by(action="share_key").count() == 1
    with db.session() as session, pytest.raises(StationError, match="已经持有"):
        chain.share_signing_key(session, admin, ADMIN_PASSWORD, deputy.user_id, "password-1")
