"""Honours (嘉许): titles, awarding to volunteers, teams and projects, and every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import DuplicateError, NotFound, PermissionDenied, ValidationError
from station_app.models import AuditEntry, Honour, Project, Team
from station_app.services import chain
from station_app.services import honours as svc
from station_app.services.auth import Actor

from .schedule_factory import make_volunteer, set_status

TODAY = date.today()


def titles(db: Database, actor: Actor) -> dict[str, svc.TitleRow]:
    with db.session(write=False) as session:
        return {t.name: t for t in svc.list_titles(session, actor)}


def award(db: Database, actor: Actor, title: str, target_id: int | None, *, on: date | None = TODAY,
          issuer: str = "仁厚社区党委", citation: str = "服务社区，热心助人", kind: str | None = None) -> svc.HonourRow:
    title_id = titles(db, actor)[title].id
    with db.session() as session:
        return svc.award_honour(session, actor, svc.HonourInput(title_id, target_id, on, issuer, citation, kind))


def honours(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(Honour))


def a_team(db: Database, actor: Actor) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(Team.id).where(Team.station_id == actor.station_id).order_by(Team.id))


def a_project(db: Database, actor: Actor) -> int:
    with db.session() as session:
        project = Project(station_id=actor.station_id, name="长者助餐", category="elderly", starts_on=TODAY,
                          ends_on=TODAY + timedelta(days=90), lead_social_worker="林社工", version=1)
        session.add(project)
        session.flush()
        return project.id


def test_a_new_station_has_the_four_seeded_titles(db: Database, admin: Actor):
    seeded = titles(db, admin)
    assert {n: t.target_kind for n, t in seeded.items()} == {
        "年度优秀志愿者": "volunteer", "最美志愿者": "volunteer", "优秀志愿服务项目": "project", "优秀服务队": "team"}
    assert all(t.active for t in seeded.values())


def test_award_each_kind_with_certificate_numbers(db: Database, admin: Actor):
    volunteer = make_volunteer(db, admin, "李志愿")
    first = award(db, admin, "年度优秀志愿者", volunteer)
    team = award(db, admin, "优秀服务队", a_team(db, admin))
    project = award(db, admin, "优秀志愿服务项目", a_project(db, admin), on=date(TODAY.year - 1, 12, 1))
    year = TODAY.year
    assert (first.certificate_no, team.certificate_no) == (f"SQ0101-JX{year}-0001", f"SQ0101-JX{year}-0002")
    assert project.certificate_no == f"SQ0101-JX{year - 1}-0001"
    assert (first.target_name, first.kind_label, first.issuer, first.recorder_name) == ("李志愿", "志愿者", "仁厚社区党委", "陈站长")
    with db.session(write=False) as session:
        this_year = svc.list_honours(session, admin, year=year)
        teams_only = svc.list_honours(session, admin, target_kind="team")
        of_volunteer = svc.honours_of(session, admin, "volunteer", volunteer)
        years = svc.honour_years(session, admin)
        report = chain.verify_chain(session, admin.station_id, ())
        audits = session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "honour")).all()
    assert [h.title for h in this_year] == ["优秀服务队", "年度优秀志愿者"]
    assert [h.title for h in teams_only] == ["优秀服务队"]
    assert [h.certificate_no for h in of_volunteer] == [first.certificate_no]
    assert years == [year, year - 1]
    assert report.ok and report.count == 3
    assert len(audits) == 3


def test_the_same_title_to_the_same_target_once_a_year(db: Database, admin: Actor):
    volunteer = make_volunteer(db, admin, "李志愿")
    first = award(db, admin, "最美志愿者", volunteer, on=TODAY - timedelta(days=1))
    before = honours(db)
    with pytest.raises(ValidationError, match=f"在 {TODAY.year} 年已获得“最美志愿者”（证书 {first.certificate_no}）"):
        award(db, admin, "最美志愿者", volunteer)
    assert honours(db) == before
    award(db, admin, "年度优秀志愿者", volunteer)  # another title is fine
    award(db, admin, "最美志愿者", volunteer, on=date(TODAY.year - 1, 6, 1))  # and another year


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on": TODAY + timedelta(days=1)}, "授予日期不能晚于今天"),
        ({"on": None}, "请填写授予日期"),
        ({"issuer": "  "}, "请填写颁发单位"),
        ({"citation": "好" * 501}, "嘉许词不能超过 500 个字"),
        ({"target": None}, "请选择获得嘉许的志愿者"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(db: Database, admin: Actor, change: dict, message: str):
    volunteer = make_volunteer(db, admin, "李志愿")
    args = {"title": "年度优秀志愿者", "target": volunteer, "on": TODAY, "issuer": "仁厚社区党委", "citation": ""}
    args.update(change)
    with pytest.raises(ValidationError, match=message):
        award(db, admin, args["title"], args["target"], on=args["on"], issuer=args["issuer"], citation=args["citation"])
    assert honours(db) == 0


def test_wrong_kind_of_target_is_refused(db: Database, admin: Actor):
    """The title decides the kind: a volunteer for a team title, or an id of nothing of that kind, is refused."""
    volunteer = make_volunteer(db, admin, "李志愿")
    team = a_team(db, admin)
    with pytest.raises(ValidationError, match="称号“优秀服务队”授予服务队，不能授予志愿者"):
        award(db, admin, "优秀服务队", volunteer, kind="volunteer")
    with pytest.raises(ValidationError, match="称号“年度优秀志愿者”授予志愿者，不能授予服务队"):
        award(db, admin, "年度优秀志愿者", team, kind="team")
    with pytest.raises(NotFound, match="找不到这个志愿服务项目"):
        award(db, admin, "优秀志愿服务项目", team + 10_000)
    assert honours(db) == 0
    assert award(db, admin, "优秀服务队", team, kind="team").target_kind == "team"


def test_unregistered_volunteers_inactive_teams_and_retired_titles(db: Database, admin: Actor):
    applicant = make_volunteer(db, admin, "赵申请", approve=False)
    with pytest.raises(ValidationError, match="只能授予已注册的志愿者"):
        award(db, admin, "年度优秀志愿者", applicant)
    team = a_team(db, admin)
    with db.session() as session:
        session.get(Team, team).active = False
    with pytest.raises(ValidationError, match="已停用，不能授予嘉许"):
        award(db, admin, "优秀服务队", team)
    volunteer = make_volunteer(db, admin, "李志愿")
    with db.session() as session:
        svc.set_title_active(session, admin, titles(db, admin)["最美志愿者"].id, False)
    with pytest.raises(ValidationError, match="称号“最美志愿者”已停用"):
        award(db, admin, "最美志愿者", volunteer)
    set_status(db, volunteer, "withdrawn")
    with db.session(write=False) as session:
        assert [t.name for t in svc.find_targets(session, admin, "volunteer")] == []
    assert honours(db) == 0


def test_only_administrators_award_and_manage_titles(db: Database, admin: Actor, clerk: Actor):
    volunteer = make_volunteer(db, admin, "李志愿")
    with pytest.raises(PermissionDenied):
        award(db, clerk, "年度优秀志愿者", volunteer)
    with pytest.raises(PermissionDenied), db.session() as session:
        svc.create_title(session, clerk, svc.TitleInput("优秀楼长", "volunteer"))
    assert honours(db) == 0


def test_titles_are_added_renamed_and_retired(db: Database, admin: Actor):
    with db.session() as session:
        new_id = svc.create_title(session, admin, svc.TitleInput("  优秀楼长 ", "volunteer", "热心楼栋事务"))
    with pytest.raises(DuplicateError, match="已有名为“优秀楼长”的称号"), db.session() as session:
        svc.create_title(session, admin, svc.TitleInput("优秀楼长", "team"))
    with pytest.raises(ValidationError, match="称号名称不能为空"), db.session() as session:
        svc.create_title(session, admin, svc.TitleInput(" ", "team"))
    with pytest.raises(ValidationError, match="请选择称号授予的对象"), db.session() as session:
        svc.create_title(session, admin, svc.TitleInput("优秀家庭", "family"))
    volunteer = make_volunteer(db, admin, "李志愿")
    award(db, admin, "优秀楼长", volunteer)
    with db.session() as session:
        svc.update_title(session, admin, new_id, svc.TitleInput("优秀楼栋长", "volunteer", "热心楼栋事务"))
    with pytest.raises(ValidationError, match="不能改为授予其他对象"), db.session() as session:
        svc.update_title(session, admin, new_id, svc.TitleInput("优秀楼栋长", "team"))
    with db.session() as session:
        svc.set_title_active(session, admin, new_id, False)
        active = [t.name for t in svc.list_titles(session, admin, active_only=True)]
        [given] = svc.honours_of(session, admin, "volunteer", volunteer)
    now = titles(db, admin)["优秀楼栋长"]
    assert (now.active, now.awarded) == (False, 1)
    assert "优秀楼栋长" not in active
    assert given.title == "优秀楼长"  # the honour keeps the name it was given under


def test_targets_offered_by_kind(db: Database, admin: Actor):
    make_volunteer(db, admin, "李志愿")
    make_volunteer(db, admin, "王热心")
    a_project(db, admin)
    with db.session(write=False) as session:
        assert [t.name for t in svc.find_targets(session, admin, "volunteer", "王")] == ["王热心"]
        assert [t.name for t in svc.find_targets(session, admin, "project")] == ["长者助餐"]
        assert svc.find_targets(session, admin, "team")
