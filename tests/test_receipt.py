"""The time-bank receipt (兑换凭证 / 冲正凭证): one A5 page, its facts in Chinese, no personal numbers."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from dataclasses import replace
from datetime import date

import pytest
from reportlab.lib.pagesizes import A5

from station_app.reports.receipt import Receipt, write_receipt
from station_app.services import timebank as bank

from .conftest import setup_station
from .ledger_factory import add_record
from .schedule_factory import make_volunteer
from .test_poster import embedded_fonts
from .test_signin import pages_text

RECEIPT = Receipt(
    station_name="康华花园物业志愿服务站", receipt_no="SQ0101-HK2026-00007", kind="redeem", volunteer_name="李志愿",
    volunteer_no="SQ0101-000123", service_name="维修家电", quantity=2, hours="2", provider="张师傅家电维修店",
    received_on=date(2026, 12, 5), balance_after="98", recorder="陈站长", entered_on=date(2026, 12, 6),
)


def test_a_redemption_receipt_has_its_facts_and_signature_lines_on_one_a5_page(tmp_path):
    path = write_receipt(RECEIPT, tmp_path / "receipt.pdf")
    reader, [text] = pages_text(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(A5[0]), round(A5[1]))
    for expected in ("康华花园物业志愿服务站", "志愿服务时长兑换凭证", "凭证编号：SQ0101-HK2026-00007", "李志愿",
                     "SQ0101-000123", "兑换服务维修家电", "数量2次", "兑换时长2小时", "服务提供方张师傅家电维修店",
                     "接受服务日期2026-12-05", "兑换后余额98小时", "经办人陈站长", "志愿者签名：", "经办人签名：",
                     "不影响累计服务时长和星级认定"):
        assert expected in text, expected
    assert "冲正" not in text
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values())  # the bundled fonts travel with the file


def test_a_reversal_prints_as_such_with_the_original_number(tmp_path):
    reversal = replace(RECEIPT, kind="reversal", receipt_no="SQ0101-HK2026-00008", note="志愿者当天未接受服务",
                       original_receipt_no="SQ0101-HK2026-00007", balance_after="100")
    _reader, [text] = pages_text(write_receipt(reversal, tmp_path / "reversal.pdf"))
    for expected in ("志愿服务时长冲正凭证", "凭证编号：SQ0101-HK2026-00008", "原凭证编号SQ0101-HK2026-00007",
                     "退回时长2小时", "冲正原因志愿者当天未接受服务", "冲正后余额100小时"):
        assert expected in text, expected
    assert "兑换凭证" not in text


def test_a_receipt_from_the_ledger_shows_no_id_number_or_phone_and_renders(sqlite_db, tmp_path):
    admin = setup_station(sqlite_db)
    volunteer = make_volunteer(sqlite_db, admin, "龚䶮")  # 䶮: a character only WenKai draws
    add_record(sqlite_db, admin, volunteer, 600)
    with sqlite_db.session() as session:
        item = next(i for i in bank.redeemable_items(session, admin) if i.name == "理发")
        done = bank.redeem(session, admin, bank.RedeemInput(
            volunteer, item.id, quantity=2, provider="便民服务队", received_on=date.today(),
            request_token=uuid.uuid4().hex))
    with sqlite_db.session(write=False) as session:
        data = bank.receipt(session, admin, done.id)
        from station_app.models import Volunteer

        person = session.get(Volunteer, volunteer)
        id_number, phone = person.id_number, person.phone
    path = write_receipt(data, tmp_path / "from-ledger.pdf")
    _reader, [text] = pages_text(path)
    assert "龚䶮" in text and data.volunteer_no in text and "兑换后余额9小时" in text
    assert id_number not in text and id_number[-4:] not in text and phone not in text
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page.png").stat().st_size > 10_000  # a page with text on it, not a blank one
