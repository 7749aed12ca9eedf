"""Accounts, passwords and roles: who may sign in and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import DuplicateError, PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, User, Volunteer
from station_app.services import audit
from station_app.services.auth import (
    Actor,
    Role,
    authenticate,
    create_user,
    hash_password,
    list_users,
    set_password,
    update_user,
    verify_password,
)
from station_app.services.volunteers import Status, VolunteerInput, get_volunteer, register_volunteer, review_volunteer

from .conftest import ADMIN_PASSWORD, add_user
from .idnumbers import complete as make_id


def applicant() -> VolunteerInput:
    return VolunteerInput(name="张三丰", id_number=make_id("44200019900101123"), phone="13812345678")


def login(db: Database, username: str, password: str) -> Actor:
    with db.session() as session:
        return authenticate(session, username, password)


def count(db: Database, model) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


# --- passwords ---------------------------------------------------------------------------------
def test_password_hash_is_salted_and_verifiable():
    first, second = hash_password("station-2014"), hash_password("station-2014")
    assert first != second  # salted: equal passwords do not give equal hashes
    assert "station-2014" not in first
    assert verify_password("station-2014", first) and verify_password("station-2014", second)
    assert not verify_password("station-2015", first)
    assert not verify_password("station-2014", "not a hash")


def test_passwords_not_stored_in_clear(db: Database, admin: Actor):
    with db.session(write=False) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "admin"))
    assert ADMIN_PASSWORD not in stored


# --- signing in ---------------------------------------------------------------------------------
def test_login_with_right_password(db: Database, admin: Actor):
    actor = login(db, " admin ", ADMIN_PASSWORD)
    assert (actor.username, actor.role, actor.station_id) == ("admin", Role.ADMIN, admin.station_id)
    with db.session(write=False) as session:
        assert session.scalar(select(User.last_login_at).where(User.username == "admin")) is not None


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong-password"), ("nobody", ADMIN_PASSWORD)])
def test_wrong_password_and_unknown_user_get_the_same_message(db: Database, admin: Actor, username, password):
    with pytest.raises(StationError) as excinfo:
        login(db, username, password)
    assert excinfo.value.message == "用户名或密码错误。"


def test_deactivated_account_cannot_sign_in(db: Database, admin: Actor, clerk: Actor):
    with db.session() as session:
        update_user(session, admin, clerk.user_id, display_name="clerk", role=Role.CLERK, active=False)
    with pytest.raises(StationError, match="已停用"):
        login(db, "clerk", "password-1")
    # A wrong password still says nothing about the account.
    with pytest.raises(StationError, match="用户名或密码错误"):
        login(db, "clerk", "wrong-password")


def test_login_is_audited(db: Database, admin: Actor):
    login(db, "admin", ADMIN_PASSWORD)
    with db.session(write=False) as session:
        rows = audit.recent(session, admin, action="login")
    assert [(r.username, r.entity) for r in rows] == [("admin", "user")]


# --- roles ---------------------------------------------------------------------------------------
def test_viewer_cannot_register_a_volunteer(db: Database, viewer: Actor):
    entries_before = count(db, AuditEntry)
    with pytest.raises(PermissionDenied) as excinfo, db.session() as session:
        register_volunteer(session, viewer, applicant())
    assert "只读" in excinfo.value.message and "登记和修改志愿者" in excinfo.value.message
    assert "联系站长" in excinfo.value.message
    assert count(db, Volunteer) == 0
    assert count(db, AuditEntry) == entries_before


def test_clerk_registers_but_cannot_review(db: Database, clerk: Actor):
    with db.session() as session:
        volunteer_id = register_volunteer(session, clerk, applicant())
    with pytest.raises(PermissionDenied, match="审核志愿者"), db.session() as session:
        review_volunteer(session, clerk, volunteer_id, approve=True)
    with db.session(write=False) as session:
        detail = get_volunteer(session, clerk, volunteer_id)
    assert detail.status == Status.APPLYING and detail.volunteer_no == ""


def test_admin_registers_and_reviews(db: Database, admin: Actor):
    with db.session() as session:
        volunteer_id = register_volunteer(session, admin, applicant())
    with db.session() as session:
        assert review_volunteer(session, admin, volunteer_id, approve=True) == "SQ0101-000001"


@pytest.mark.parametrize("role", [Role.CLERK, Role.VIEWER])
def test_only_admins_manage_users(db: Database, admin: Actor, role: Role):
    other = add_user(db, admin, "other", role)
    users_before = count(db, User)
    with pytest.raises(PermissionDenied, match="管理用户账号"), db.session() as session:
        create_user(session, other, username="newbie", display_name="新人", role=Role.ADMIN,
                    password="password-2", station_id=other.station_id)
    with pytest.raises(PermissionDenied), db.session() as session:
        list_users(session, other)
    with pytest.raises(PermissionDenied), db.session() as session:
        update_user(session, other, other.user_id, display_name="other", role=Role.ADMIN, active=True)
    assert count(db, User) == users_before
    with db.session(write=False) as session:
        assert session.scalar(select(User.role).where(User.id == other.user_id)) == role.value


def test_admin_creates_and_lists_users(db: Database, admin: Actor):
    with db.session() as session:
        create_user(session, admin, username="xiaoli", display_name="小李", role=Role.CLERK,
                    password="password-2", station_id=None)
    with db.session(write=False) as session:
        users = list_users(session, admin)
    assert [(u.username, u.display_name, u.role, u.active) for u in users] == [
        ("admin", "陈站长", Role.ADMIN, True), ("xiaoli", "小李", Role.CLERK, True),
    ]
    assert login(db, "xiaoli", "password-2").role == Role.CLERK


def test_user_creation_is_audited(db: Database, admin: Actor):
    with db.session() as session:
        user_id = create_user(session, admin, username="xiaoli", display_name="小李", role=Role.CLERK,
                              password="password-2", station_id=None)
    with db.session(write=False) as session:
        rows = audit.history(session, "user", user_id)
    assert len(rows) == 1
    assert (rows[0].username, rows[0].action) == ("admin", "create")
    assert "xiaoli" in rows[0].summary
    assert rows[0].changes == {"role": [None, "clerk"]}


def test_duplicate_username_refused(db: Database, admin: Actor, clerk: Actor):
    with pytest.raises(DuplicateError) as excinfo, db.session() as session:
        create_user(session, admin, username="CLERK", display_name="x", role=Role.VIEWER,
                    password="password-2", station_id=None)
    assert excinfo.value.existing_id == clerk.user_id
    assert "已被使用" in excinfo.value.message


def test_short_password_refused(db: Database, admin: Actor):
    with pytest.raises(ValidationError, match="至少需要 6 个字符") as excinfo, db.session() as session:
        create_user(session, admin, username="xiaoli", display_name="小李", role=Role.CLERK,
                    password="12345", station_id=None)
    assert excinfo.value.field == "password"


@pytest.mark.parametrize(("role", "active"), [(Role.CLERK, True), (Role.VIEWER, True), (Role.ADMIN, False)])
def test_last_admin_cannot_be_demoted_or_deactivated(db: Database, admin: Actor, role: Role, active: bool):
    with pytest.raises(ValidationError, match="至少要保留一个"), db.session() as session:
        update_user(session, admin, admin.user_id, display_name="陈站长", role=role, active=active)
    assert login(db, "admin", ADMIN_PASSWORD).role == Role.ADMIN


def test_admin_can_be_demoted_when_another_remains(db: Database, admin: Actor):
    add_user(db, admin, "deputy", Role.ADMIN)
    with db.session() as session:
        update_user(session, admin, admin.user_id, display_name="陈站长", role=Role.CLERK, active=True)
    assert login(db, "admin", ADMIN_PASSWORD).role == Role.CLERK
    # The remaining admin is now the last one.
    deputy = login(db, "deputy", "password-1")
    with pytest.raises(ValidationError, match="至少要保留一个"), db.session() as session:
        update_user(session, deputy, deputy.user_id, display_name="deputy", role=Role.ADMIN, active=False)


@pytest.mark.parametrize("role", [Role.TOWN, Role.CITY])
def test_a_station_admin_cannot_make_or_promote_town_and_city_administrators(db: Database, admin: Actor,
                                                                             clerk: Actor, role: Role):
    """Only a city administrator makes accounts above the stations, whatever door the station's 站长 uses."""
    with pytest.raises(PermissionDenied, match="市级管理员新建"), db.session() as session:
        create_user(session, admin, username="boss", display_name="boss", role=role, password="password-1",
                    station_id=admin.station_id)
    with pytest.raises(PermissionDenied, match="市级管理员新建"), db.session() as session:
        update_user(session, admin, clerk.user_id, display_name="clerk", role=role, active=True)
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User).where(User.role.in_(["town", "city"]))) == 0
    assert login(db, "clerk", "password-1").role == Role.CLERK


# --- changing passwords -------------------------------------------------------------------------
def test_own_password_needs_the_old_one(db: Database, admin: Actor, viewer: Actor):
    for old in (None, "wrong-password"):
        with pytest.raises(ValidationError, match="原密码不正确") as excinfo, db.session() as session:
            set_password(session, viewer, viewer.user_id, "new-password-1", old_password=old)
        assert excinfo.value.field == "old_password"
    assert login(db, "viewer", "password-1").username == "viewer"

    with db.session() as session:
        set_password(session, viewer, viewer.user_id, "new-password-1", old_password="password-1")
    assert login(db, "viewer", "new-password-1").username == "viewer"
    with pytest.raises(StationError, match="用户名或密码错误"):
        login(db, "viewer", "password-1")


def test_admin_resets_someone_elses_password(db: Database, admin: Actor, clerk: Actor):
    with db.session() as session:
        set_password(session, admin, clerk.user_id, "reset-by-admin")
    with db.session(write=False) as session:
        rows = audit.history(session, "user", clerk.user_id)
    assert rows[0].action == "password" and rows[0].username == "admin"
    assert login(db, "clerk", "reset-by-admin").username == "clerk"
    assert all("reset-by-admin" not in str(r) for r in rows)


def test_clerk_cannot_reset_someone_elses_password(db: Database, admin: Actor, clerk: Actor):
    with pytest.raises(PermissionDenied), db.session() as session:
        set_password(session, clerk, admin.user_id, "taken-over")
    assert login(db, "admin", ADMIN_PASSWORD).username == "admin"


def test_new_password_must_be_long_enough(db: Database, admin: Actor, clerk: Actor):
    with pytest.raises(ValidationError, match="至少需要"), db.session() as session:
        set_password(session, admin, clerk.user_id, "abc")
    assert login(db, "clerk", "password-1").username == "clerk"
