"""Certificates as the services make them: who gets one, what it says, its signed QR payload, issues and reprints."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from station_app.db import Database
from station_app.errors import PermissionDenied, ValidationError
from station_app.models import AuditEntry, CertificateIssue, Station, Volunteer
from station_app.services import certificates as certs
from station_app.services import chain, honours, stars
from station_app.services.auth import Actor

from .conftest import ADMIN_PASSWORD
from .ledger_factory import add_record
from .schedule_factory import make_volunteer

H = 60
TODAY = date.today()


@pytest.fixture
def key(db: Database, admin: Actor):  # noqa: ANN201 - the station's Ed25519 private key
    with db.session(write=False) as session:
        return chain.unlock_signing_key(session, admin, ADMIN_PASSWORD)


def served(db: Database, admin: Actor, volunteer_id: int, total_hours: float, *, last_day: date | None = None) -> None:
    left, day = int(total_hours * H), last_day or TODAY - timedelta(days=1)
    while left > 0:
        chunk = min(left, 8 * H)
        add_record(db, admin, volunteer_id, chunk, on=day, content="关爱空巢老人", place="康华花园3栋")
        left -= chunk
        day -= timedelta(days=1)


def starred(db: Database, admin: Actor, name: str, total_hours: float) -> tuple[int, int]:
    """A volunteer with ``total_hours`` of service and their level confirmed; (volunteer id, award id)."""
    vid = make_volunteer(db, admin, name)
    served(db, admin, vid, total_hours)
    with db.session() as session:
        level = stars.find(session, admin, vid).level
        stars.confirm_award(session, admin, vid, level, TODAY)
    with db.session(write=False) as session:
        (award,) = [c for c in certs.award_choices(session, admin) if c.volunteer_id == vid]
    return vid, award.award_id


def star_printable(db: Database, admin: Actor, key, award_id: int) -> certs.Printable:  # noqa: ANN001
    with db.session(write=False) as session:
        (printable,) = certs.star_certificates(session, admin, key, [award_id])
    return printable


def test_a_star_certificate_says_who_what_level_and_hours_and_its_payload_verifies(db, admin, key):
    _vid, award_id = starred(db, admin, "张晓明", 312.5)
    p = star_printable(db, admin, key, award_id)
    doc = p.document
    assert (doc.name, doc.level, doc.level_name, doc.hours_text) == ("张晓明", 2, "二星级志愿者", "312.5")
    assert doc.stamp.certificate_no == p.certificate_no and p.certificate_no.startswith("SQ0101-XJ")
    assert "张晓明" in doc.wording.body and "312.5" in doc.wording.body  # the default template's placeholders filled
    assert p.copy == 1 and doc.stamp.copy_note == ""
    with db.session(write=False) as session:
        result = certs.verify_payload(session, doc.stamp.qr_payload)
    assert result.valid, result.reason
    facts = dict(result.facts)
    assert facts["姓名"] == "张晓明" and facts["星级"] == "二星级志愿者" and facts["服务时长"] == "312.5 小时"
    assert facts["证书编号"] == p.certificate_no and "康华花园物业志愿服务站" in result.station
    assert "没有这张证书的打印记录" in result.on_record


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda t: t.replace("|18750|", "|36000|"), "签名不符"),  # 312.5 h → 600 h
        (lambda t: t.replace("张晓明", "张晓亮"), "签名不符"),
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), "签名不符"),
        (lambda t: t.rsplit("|", 1)[0], "不完整"),
        (lambda t: t.replace("ZSV1|", "ZSV9|", 1), "更新版本"),
        (lambda t: "hello world", "不是本系统"),
        (lambda t: t.replace("|SQ0101|", "|SQ9999|", 1), "SQ9999"),
        (lambda t: "", "没有输入"),
    ],
)
def test_a_changed_or_foreign_payload_is_not_valid_and_says_why(db, admin, key, change, reason):
    _vid, award_id = starred(db, admin, "张晓明", 312.5)
    payload = star_printable(db, admin, key, award_id).document.stamp.qr_payload
    assert "|18750|" in payload
    with db.session(write=False) as session:
        result = certs.verify_payload(session, change(payload))
    assert not result.valid and reason in result.reason


def test_a_scanner_s_trailing_newline_and_spaces_do_not_matter(db, admin, key):
    _vid, award_id = starred(db, admin, "李四", 120)
    payload = star_printable(db, admin, key, award_id).document.stamp.qr_payload
    with db.session(write=False) as session:
        assert certs.verify_payload(session, f"  {payload}\r\n").valid


def test_no_confirmed_level_no_star_certificate(db, admin, key):
    vid = make_volunteer(db, admin, "王未满")
    served(db, admin, vid, 85)
    with db.session(write=False) as session, pytest.raises(ValidationError) as refused:
        certs.star_certificate_for(session, admin, key, vid)
    assert "王未满还没有认定的星级" in refused.value.message and "85" in refused.value.message
    eligible = make_volunteer(db, admin, "赵够了")
    served(db, admin, eligible, 120)
    with db.session(write=False) as session, pytest.raises(ValidationError) as refused:
        certs.star_certificate_for(session, admin, key, eligible)
    assert "请先在“星级与嘉许”中认定" in refused.value.message


def test_an_award_under_review_or_revoked_is_not_printed(db, admin, key):
    _vid, award_id = starred(db, admin, "钱复核", 150)
    with db.session() as session:
        from station_app.models import StarAward

        session.get(StarAward, award_id).review_status = "flagged"
    with db.session(write=False) as session, pytest.raises(ValidationError, match="正在复核"):
        certs.star_certificates(session, admin, key, [award_id])
    with db.session() as session:
        stars.review_award(session, admin, award_id, keep=False, note="时长更正后不足")
    with db.session(write=False) as session:
        with pytest.raises(ValidationError, match="撤销"):
            certs.star_certificates(session, admin, key, [award_id])
        assert award_id not in [c.award_id for c in certs.award_choices(session, admin)]


def test_printing_is_booked_and_the_next_print_is_a_marked_reprint(db, admin, key):
    _vid, award_id = starred(db, admin, "孙补打", 320)
    first = star_printable(db, admin, key, award_id)
    with db.session() as session:
        assert certs.record_issued(session, admin, [first]) == 1
    with db.session(write=False) as session:
        (choice,) = certs.award_choices(session, admin)
        assert choice.times_printed == 1
        assert certs.award_choices(session, admin, unprinted_only=True) == []
    second = star_printable(db, admin, key, award_id)
    assert second.copy == 2 and "补打" in second.document.stamp.copy_note and "第 2 次" in second.document.stamp.copy_note
    with db.session() as session:
        certs.record_issued(session, admin, [second])
        rows = certs.issued_list(session, admin)
        assert [(r.certificate_no, r.copy, r.subject) for r in rows][0] == (first.certificate_no, 2, "孙补打")
        assert session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "print").limit(1))
        reprint = certs.reprint(session, admin, rows[-1].issue_id)
    assert reprint.copy == 3 and reprint.document.name == "孙补打" and "第 3 次" in reprint.document.stamp.copy_note
    assert reprint.document.stamp.qr_payload == first.document.stamp.qr_payload  # the same certificate
    with db.session(write=False) as session:
        result = certs.verify_payload(session, first.document.stamp.qr_payload)
    assert result.valid and "共打印 2 次" in result.on_record


def test_the_same_copy_cannot_be_booked_twice(db, admin, key):
    _vid, award_id = starred(db, admin, "周并发", 110)
    a = star_printable(db, admin, key, award_id)
    b = star_printable(db, admin, key, award_id)  # prepared at the same moment on another PC
    with db.session() as session:
        certs.record_issued(session, admin, [a])
    with db.session() as session, pytest.raises(Exception, match="刚被别人登记过"):
        certs.record_issued(session, admin, [b])
    with db.session(write=False) as session:
        assert len(session.scalars(select(CertificateIssue)).all()) == 1


def test_only_administrators_print_certificates(db, admin, clerk, key):
    _vid, award_id = starred(db, admin, "吴权限", 110)
    with db.session(write=False) as session, pytest.raises(PermissionDenied):
        certs.star_certificates(session, clerk, key, [award_id])


def test_a_record_certificate_lists_counted_service_in_the_period_with_the_id_masked(db, admin, key):
    vid = make_volunteer(db, admin, "郑证明")
    add_record(db, admin, vid, 120, on=date(TODAY.year - 1, 3, 5), content="探访独居老人", place="2栋")
    add_record(db, admin, vid, 90, on=TODAY - timedelta(days=10), content="楼道清洁", place="1栋")
    add_record(db, admin, vid, 600, on=TODAY - timedelta(days=9), needs_approval=True)  # waits: not counted
    with db.session() as session:
        p = certs.record_certificate(session, admin, key, vid, date(TODAY.year - 1, 1, 1), TODAY)
        certs.record_issued(session, admin, [p])
        full_id = session.get(Volunteer, vid).id_number
    doc = p.document
    assert doc.total_hours_text == "3.5" and doc.record_count == 2
    assert [(line.content, line.hours_text) for line in doc.lines] == [("探访独居老人", "2"), ("楼道清洁", "1.5")]
    assert doc.id_number_masked != full_id and "*" in doc.id_number_masked
    assert full_id not in certs.document_json(doc) and full_id not in doc.stamp.qr_payload
    assert p.certificate_no == f"SQ0101-JL{TODAY.year}-0001" and doc.handler == admin.display_name
    with db.session() as session:
        p2 = certs.record_certificate(session, admin, key, vid, TODAY - timedelta(days=30), TODAY)
        certs.record_issued(session, admin, [p2])
    assert p2.certificate_no == f"SQ0101-JL{TODAY.year}-0002" and p2.document.total_hours_text == "1.5"
    with db.session(write=False) as session:
        result = certs.verify_payload(session, p2.document.stamp.qr_payload)
    assert result.valid and dict(result.facts)["服务时长"] == "1.5 小时" and dict(result.facts)["服务记录"] == "1 条"


def test_a_record_certificate_is_refused_for_an_empty_or_impossible_period(db, admin, key):
    vid = make_volunteer(db, admin, "冯空白")
    with db.session() as session:
        with pytest.raises(ValidationError, match="没有计入的服务记录"):
            certs.record_certificate(session, admin, key, vid, TODAY - timedelta(days=30), TODAY)
        with pytest.raises(ValidationError, match="早于起始日期"):
            certs.record_certificate(session, admin, key, vid, TODAY, TODAY - timedelta(days=1))
        with pytest.raises(ValidationError, match="今天之后"):
            certs.record_certificate(session, admin, key, vid, TODAY, TODAY + timedelta(days=1))
    with db.session(write=False) as session:
        assert session.scalars(select(CertificateIssue)).all() == []


def test_honour_certificates_and_the_roll(db, admin, key):
    vid, _award = starred(db, admin, "陈嘉许", 650)
    with db.session() as session:
        title_id = next(t.id for t in honours.list_titles(session, admin) if t.target_kind == "volunteer")
        row = honours.award_honour(session, admin, honours.HonourInput(
            title_id=title_id, target_id=vid, awarded_on=TODAY, issuer="石岐街道办事处", citation="常年照顾空巢老人"))
    with db.session(write=False) as session:
        (choice,) = certs.honour_choices(session, admin, year=TODAY.year)
        (p,) = certs.honour_certificates(session, admin, key, [choice.honour_id])
        roll = certs.honour_roll(session, admin, TODAY.year)
        result = certs.verify_payload(session, p.document.stamp.qr_payload)
    assert p.document.target_name == "陈嘉许" and p.document.honour_title == row.title
    assert result.valid and dict(result.facts)["荣誉称号"] == row.title
    headings = [s.heading for s in roll.document.sections]
    assert headings == [row.title, "三星级志愿者"]
    assert roll.document.sections[0].entries[0].name == "陈嘉许"


def test_the_printed_document_survives_its_json_round_trip(db, admin, key):
    vid, award_id = starred(db, admin, "卫往返", 130)
    p = star_printable(db, admin, key, award_id)
    again = certs.document_from_json(certs.STAR, certs.document_json(p.document))
    assert again == p.document  # no seal set: nothing is dropped
    with db.session() as session:
        rec = certs.record_certificate(session, admin, key, vid, TODAY - timedelta(days=60), TODAY)
    assert certs.document_from_json(certs.RECORD, certs.document_json(rec.document)) == rec.document


def test_a_payload_signed_by_another_station_s_key_does_not_verify(db, admin, key):
    _vid, award_id = starred(db, admin, "蒋外站", 110)
    payload = star_printable(db, admin, key, award_id).document.stamp.qr_payload
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = certs.sign_payload(Ed25519PrivateKey.generate(), certs.STAR, "SQ0101", {
        "certificate_no": "SQ0101-XJ2026-0999", "name": "蒋外站", "volunteer_no": "SQ0101-00001", "level": 5,
        "minutes": 90000, "confirmed_on": TODAY.isoformat()})
    with db.session(write=False) as session:
        assert certs.verify_payload(session, payload).valid
        assert not certs.verify_payload(session, forged).valid
        assert session.scalar(select(Station.code)) == "SQ0101"


def test_a_record_certificate_leaves_out_the_unit_and_room_of_a_home_visit(db, admin, key):
    vid = make_volunteer(db, admin, "欧探访")
    add_record(db, admin, vid, 60, on=TODAY - timedelta(days=3), content="探访独居老人", place="8栋2单元2601")
    add_record(db, admin, vid, 60, on=TODAY - timedelta(days=2), content="服务站值班", place="服务站值班室")
    with db.session() as session:
        p = certs.record_certificate(session, admin, key, vid, TODAY - timedelta(days=30), TODAY)
    assert [line.place for line in p.document.lines] == ["8栋", "服务站值班室"]
    assert "2601" not in certs.document_json(p.document)


def test_an_honour_certificate_names_the_honour_s_own_issuer(db, admin, key):
    vid, _award = starred(db, admin, "黄颁发", 120)
    with db.session() as session:
        title_id = next(t.id for t in honours.list_titles(session, admin) if t.target_kind == "volunteer")
        honours.award_honour(session, admin, honours.HonourInput(
            title_id=title_id, target_id=vid, awarded_on=TODAY, issuer="仁厚社区居民委员会", citation=""))
    with db.session(write=False) as session:
        (choice,) = certs.honour_choices(session, admin)
        (p,) = certs.honour_certificates(session, admin, key, [choice.honour_id])
    assert p.document.wording.issuer == "仁厚社区居民委员会" and "经仁厚社区居民委员会评选" in p.document.wording.body
    assert not p.document.wording.body.startswith("\n")  # no citation: no empty paragraph
