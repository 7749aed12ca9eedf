"""Users, roles and permissions. Every service checks permissions itself (the GUI is not the only door)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum, StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import DuplicateError, NotFound, PermissionDenied, StationError, ValidationError
from ..i18n import _
from ..models import User, utcnow
from . import audit


class Role(StrEnum):
    ADMIN = "admin"  # 站长/管理员: everything
    CLERK = "clerk"  # 录入员: enter and edit
    VIEWER = "viewer"  # 只读: view only
    # City-wide mode (a shared PostgreSQL server): administrators above the stations.
    TOWN = "town"  # 镇区管理员: every station of one town, read-only
    CITY = "city"  # 市级管理员: every station of the city; creates stations and their 站长

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: _("站长/管理员"),
    Role.CLERK: _("录入员"),
    Role.VIEWER: _("只读"),
    Role.TOWN: _("镇区管理员"),
    Role.CITY: _("市级管理员"),
}
STATION_ROLES = (Role.ADMIN, Role.CLERK, Role.VIEWER)


class Permission(Enum):
    VIEW = _("查看数据")
    EDIT_VOLUNTEERS = _("登记和修改志愿者")
    REVIEW_VOLUNTEERS = _("审核志愿者")
    REVEAL_PERSONAL = _("查看完整的身份证号和电话")
    MANAGE_TEAMS = _("管理服务队")
    EDIT_DEMAND = _("登记服务对象、走访、需求、项目和招募")
    MANAGE_MENU = _("管理服务菜单和重点对象类别")
    EDIT_SCHEDULE = _("安排培训和活动、排班")
    MANAGE_RULES = _("设置骨干认定等规则")
    RECORD_HOURS = _("录入服务时长和申请更正")
    APPROVE_HOURS = _("审批超额时长和更正")
    CONFIRM_AWARDS = _("星级认定和嘉许")
    REDEEM_HOURS = _("办理时长兑换")
    SIGN_LEDGER = _("签署台账检查点")
    PRINT_CERTIFICATES = _("打印证书和服务记录证明")
    MANAGE_USERS = _("管理用户账号")
    MANAGE_STATION = _("修改站点信息")
    VIEW_AUDIT = _("查看审计日志")
    EXPORT_PACKAGES = _("导出转移包")
    IMPORT_PACKAGES = _("导入转移包、信任其他站点的密钥")
    BACKUP = _("备份和恢复数据库")
    VIEW_CITY = _("查看全市或本镇区的数据看板")
    MANAGE_STATIONS = _("新建站点和站长账号")


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission) - {Permission.VIEW_CITY, Permission.MANAGE_STATIONS},
    Role.CLERK: frozenset(
        {
            Permission.VIEW,
            Permission.EDIT_VOLUNTEERS,
            Permission.REVEAL_PERSONAL,
            Permission.MANAGE_TEAMS,
            Permission.EDIT_DEMAND,
            Permission.EDIT_SCHEDULE,
            Permission.RECORD_HOURS,
            Permission.REDEEM_HOURS,
        }
    ),
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.TOWN: frozenset({Permission.VIEW_CITY}),
    Role.CITY: frozenset({Permission.VIEW_CITY, Permission.MANAGE_STATIONS, Permission.IMPORT_PACKAGES}),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the services see them."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    station_id: int | None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDenied(
            _("当前账号（{role}）没有“{permission}”的权限，请联系站长。").format(
                role=actor.role.label, permission=permission.value
            )
        )


# --- passwords -------------------------------------------------------------------------
# scrypt from the standard library: salted, slow and memory-hard. Parameters are stored
# with each hash so they can be raised later without locking anyone out.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 6


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password("not a real password")


def check_new_password(password: str, confirm: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("密码至少需要 {n} 个字符。").format(n=MIN_PASSWORD_LENGTH), field="password"
        )
    if password.strip() != password:
        raise ValidationError(_("密码的开头和结尾不能是空格。"), field="password")
    if confirm is not None and confirm != password:
        raise ValidationError(_("两次输入的密码不一致。"), field="confirm")


def _actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, Role(user.role), user.station_id)


def authenticate(session: Session, username: str, password: str) -> Actor:
    """Check a login; the same message for an unknown name and a wrong password."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(password, _DUMMY_HASH)  # same time either way
        raise StationError(_("用户名或密码错误。"))
    if not verify_password(password, user.password_hash):
        raise StationError(_("用户名或密码错误。"))
    if not user.active:
        raise StationError(_("该账号已停用，请联系站长。"))
    user.last_login_at = utcnow()
    actor = _actor_of(user)
    audit.record(session, actor, "login", "user", user.id, summary=_("登录"))
    if actor.role is Role.ADMIN:
        from . import chain  # chain needs auth; imported here to keep the import order simple

        chain.checkpoint_on_login(session, user, password)
    return actor


# --- user management --------------------------------------------------------------------
@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool


def _validate_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise ValidationError(_("用户名不能为空。"), field="username")
    if len(username) > 50 or any(c.isspace() for c in username):
        raise ValidationError(_("用户名不能含空格，且不超过 50 个字符。"), field="username")
    return username


def _check_station_role(role: Role | str) -> None:
    """A station's accounts hold station roles; town and city administrators are made by a city administrator."""
    if Role(role) not in STATION_ROLES:
        raise PermissionDenied(_("站点的账号只能是站长/管理员、录入员或只读；镇区和市级管理员由市级管理员新建。"))


def create_user(
    session: Session,
    actor: Actor | None,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    station_id: int | None,
) -> int:
    """Create an account. ``actor`` is None only when the station is first set up."""
    if actor is not None:
        require(actor, Permission.MANAGE_USERS)
        station_id = actor.station_id
    _check_station_role(role)
    username = _validate_username(username)
    display_name = display_name.strip() or username
    check_new_password(password)
    existing = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if existing is not None:
        raise DuplicateError(_("用户名“{u}”已被使用。").format(u=username), field="username", existing_id=existing)
    user = User(
        username=username,
        display_name=display_name,
        role=Role(role).value,
        password_hash=hash_password(password),
        station_id=station_id,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor or _actor_of(user),
        "create",
        "user",
        user.id,
        summary=_("新建账号 {u}").format(u=username),
        changes={"role": [None, user.role]},
    )
    return user.id


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    require(actor, Permission.MANAGE_USERS)
    users = session.scalars(select(User).where(User.station_id == actor.station_id).order_by(User.username))
    return [UserInfo(u.id, u.username, u.display_name, Role(u.role), u.active) for u in users]


def _admins_left(session: Session, station_id: int | None, excluding: int) -> int:
    return session.scalar(
        select(func.count()).where(
            User.station_id == station_id, User.role == Role.ADMIN, User.active.is_(True), User.id != excluding
        )
    ) or 0


def update_user(
    session: Session, actor: Actor, user_id: int, *, display_name: str, role: Role, active: bool
) -> None:
    require(actor, Permission.MANAGE_USERS)
    user = session.get(User, user_id)
    if user is None or user.station_id != actor.station_id:
        raise NotFound(_("找不到这个账号。"))
    _check_station_role(role)
    losing_admin = user.role == Role.ADMIN and (Role(role) != Role.ADMIN or not active)
    if losing_admin and _admins_left(session, user.station_id, user.id) == 0:
        raise ValidationError(_("至少要保留一个可用的站长/管理员账号。"), field="role")
    changes = {}
    for field, new in (("display_name", display_name.strip() or user.username), ("role", Role(role).value), ("active", active)):
        old = getattr(user, field)
        if old != new:
            changes[field] = [old, new]
            setattr(user, field, new)
    if changes:
        audit.record(session, actor, "update", "user", user.id, summary=_("修改账号 {u}").format(u=user.username), changes=changes)


def set_password(
    session: Session, actor: Actor, user_id: int, new_password: str, *, old_password: str | None = None
) -> None:
    """Users change their own password (giving the old one); administrators reset anyone's."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("找不到这个账号。"))
    if user.id == actor.user_id:
        if old_password is None or not verify_password(old_password, user.password_hash):
            raise ValidationError(_("原密码不正确。"), field="old_password")
    else:
        require(actor, Permission.MANAGE_USERS)
        if user.station_id != actor.station_id:
            raise NotFound(_("找不到这个账号。"))
    check_new_password(new_password)
    from . import chain

    if user.id == actor.user_id:
        chain.rewrap_after_password_change(session, user.id, old_password or "", new_password)
    else:
        chain.drop_shares(session, user.id)
    user.password_hash = hash_password(new_password)
    audit.record(session, actor, "password", "user", user.id, summary=_("修改密码：{u}").format(u=user.username))
