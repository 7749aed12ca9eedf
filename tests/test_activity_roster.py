"""The activity roster with its sign-in sheet (排班签到表): built from the database, read back from the PDF."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pypdf import PdfReader

from station_app.reports.activity_roster import (
    RosterData,
    RosterPerson,
    RosterShift,
    activity_roster,
    roster_file_name,
    roster_sheet,
)
from station_app.services import activities as svc

from .test_activities import activity_input, put_on_shift, volunteer
from .test_projects import make_recipient


def pdf_text(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(str(path))
    return reader, "".join("".join(page.extract_text() for page in reader.pages).split())


def test_roster_of_a_real_activity_prints_its_facts_and_each_shift(db, clerk, tmp_path: Path):
    recipient = make_recipient(db, clerk)
    with db.session() as session:
        activity_id = svc.create_activity(session, clerk, activity_input(
            db, clerk, partner_org="中山市人民医院", recipient_ids=[recipient], description="测血压、测血糖、用药咨询"))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "梁志强", "111", "13812345678"))
    put_on_shift(db, activity_id, 0, volunteer(db, clerk, "何丽华", "222", "13912340000"), role="lead")
    put_on_shift(db, activity_id, 1, volunteer(db, clerk, "欧阳明", "333", "13700001234"))
    with db.session(write=False) as session:
        data = svc.roster_data(session, clerk, activity_id)
    path = activity_roster(data, tmp_path / roster_file_name(data), printed=date(2026, 12, 1))
    reader, text = pdf_text(path)
    assert path.name.endswith("_敬老院义诊_排班签到表.pdf")
    for expected in (
        "敬老院义诊·排班签到表", "康华花园会所", "便民行动·健康义诊", "林社工", "中山市人民医院", "服务对象1人",
        "测血压、测血糖、用药咨询", "上午一班09:00–10:30（名额3人）共2人", "上午二班10:30–12:00（名额2人）共1人",
        "何丽华", "梁志强", "欧阳明", "带队", "139****0000", "康华花园物业志愿服务站", "打印于2026-12-01",
    ):
        assert expected in text, expected
    # The lead heads the shift's list; full phone numbers never reach paper.
    assert text.index("何丽华") < text.index("梁志强") < text.index("欧阳明")
    assert "13912340000" not in text and "13812345678" not in text


def test_roster_sheet_leaves_out_empty_facts_and_notes_backbones():
    data = RosterData(
        station_name="康华花园物业志愿服务站", title="周六社区巡逻", category_label="平安行动", service_item="社区巡逻",
        project_name="", starts_at=datetime(2030, 1, 5, 19), ends_at=datetime(2030, 1, 5, 21), place="小区东门",
        lead_social_worker="", partner="", recipients=0, required_training_label="岗前培训", skills=[],
        description="", status_label="计划",
        shifts=[RosterShift("全程", datetime(2030, 1, 5, 19), datetime(2030, 1, 5, 21), 4, [
            RosterPerson("梁志强", "SQ0101-000001", "138****5678", "lead", True),
            RosterPerson("何丽华", "SQ0101-000002", "139****5678", "member", True),
        ])],
    )
    sheet = roster_sheet(data, printed=date(2029, 12, 30))
    assert [label for label, _v in sheet.facts] == ["时间", "地点", "服务项目", "上岗要求"]
    assert sheet.facts[0][1] == "2030-01-05 周六 19:00–21:00"
    assert [(r.number, r.name, r.note) for r in sheet.sections[0].rows] == [(1, "梁志强", "带队、骨干"), (2, "何丽华", "骨干")]


def test_file_name_has_no_characters_windows_refuses():
    data = RosterData("站", "义诊/体检: 第1场", "便民行动", "", "", datetime(2030, 1, 5, 9), datetime(2030, 1, 5, 11),
                      "会所", "", "", 0, "", [], "", "计划", [])
    assert roster_file_name(data) == "2030-01-05_义诊_体检_ 第1场_排班签到表.pdf"

