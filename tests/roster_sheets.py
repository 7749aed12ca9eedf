"""Roster sheets as stations keep them, built with openpyxl for the import tests (not fixtures: plain helpers)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from .idnumbers import make_id

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")

# People of the messy sheet, each with one of the problems stations' sheets have.
GOOD = make_id("442000", "19850305", "123")  # male
NUMBER = make_id("442000", "19860101", "135")  # stored as a number: Excel keeps 15 digits
SCIENTIFIC = make_id("442000", "19960308", "141")  # typed after Excel showed 4.4200019960308E+17
WIDE = make_id("442000", "19770707", "246")  # full-width digits (female)
SPACED = make_id("442000", "19880808", "159")
LOWER_X = next(i for i in (make_id("442000", "19790101", f"{n:03d}") for n in range(1, 999, 2)) if i.endswith("X"))
MERGED_A = make_id("442000", "19700202", "171")
MERGED_B = make_id("442000", "19720303", "282")
MERGED_C = make_id("442000", "19740404", "193")
SERIAL = make_id("442000", "19900909", "215")
REAL_DATE = make_id("442000", "19911010", "227")
DUPLICATE = make_id("442000", "19920202", "239")
LANDLINE = make_id("442000", "19930303", "251")
MISMATCH = make_id("442000", "19940404", "263")  # male, typed 女
EXISTING = make_id("442000", "19600101", "275")
OLD_15 = "442000600101123"


def messy_roster(path: Path) -> Path:
    """Two title rows (one merged across), a header with other names, and a row for each problem.

    Row numbers (as Excel shows them) are what the tests assert on; see the comments.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["康华花园物业志愿服务站志愿者花名册"])  # 1
    ws.merge_cells("A1:L1")
    ws.append(["填表日期：2026年3月", None, None, None, None, None, None, None, None, None, "单位：人"])  # 2
    ws.append(["序号", "姓 名", "公民身份号码", "联系电话", "性别", "出生日期", "政治面貌", "楼栋", "房号",
               "特长", "注册日期", "备注（选填）"])  # 3: the header
    rows = [
        [1, "张三", GOOD, "13812345601", "男", "1985-3-5", "中共党员", "1栋", "101", "家电维修、急救", "2026-3-5", "老住户"],  # 4
        [2, "李四", int(NUMBER), "13812345602", None, None, "群众", "2栋", "102", None, None, None],  # 5: number → float
        [3, "王五", "4.4200019960308E+17", "13812345603", None, None, None, "2栋", "103", None, None, None],  # 6
        [4, "赵敏", WIDE.translate(FULL_WIDTH), "１３８１２３４５６０４", "女", None, "共青团员", "3栋", "201", None,
         "2026/03/05", None],  # 7: full-width ID and phone
        [5, " 钱  七 ", f" {SPACED[:6]} {SPACED[6:14]} {SPACED[14:]} ", " 138 1234 5605 ", None, None, None, "3栋",
         "202", None, "2026年3月5日", None],  # 8: stray spaces
        [6, "孙八", LOWER_X.lower(), 13812345606, None, None, "党员", "4栋", "301", None, "20260305", None],  # 9: x, phone as number
        [7, "周一", MERGED_A, "13812345607", None, None, None, "5栋", "401", None, None, None],  # 10: 楼栋 merged 10–12
        [8, "周二", MERGED_B, "13812345608", None, None, None, None, "402", None, None, None],  # 11
        [9, "周三", MERGED_C, "13812345609", None, None, None, None, "403", None, None, None],  # 12
        [10, "吴十", SERIAL, "13812345610", None, None, None, "6栋", "501", None, 46086, None],  # 13: serial date
        [11, "郑十一", REAL_DATE, "13812345611", None, datetime(1991, 10, 10), None, "6栋", "502", None,
         date(2026, 3, 5), None],  # 14: real date cells
        [],  # 15: blank
        [12, "冯十二", DUPLICATE, "13812345612", None, None, None, "7栋", "601", None, None, None],  # 16
        [13, "冯十二", DUPLICATE, "13812345612", None, None, None, "7栋", "601", None, None, None],  # 17: twice
        [14, "陈十三", LANDLINE, 76088123456, None, None, None, None, None, None, None, None],  # 18: landline lost its 0
        [15, "褚十四", MISMATCH, "13812345614", "女", None, None, None, None, None, None, None],  # 19: gender ≠ ID
        [16, "卫十五", OLD_15, "13812345615", None, None, "无党派", None, None, None, None, None],  # 20: 15 digits, bad 政治面貌
        [17, "蒋老伯", EXISTING, "13900000000", None, None, None, "8栋", "701", None, None, None],  # 21: on file already
        ["制表人：陈站长"],  # 22: a footer
    ]
    for row in rows:
        ws.append(row)
    ws.merge_cells("H10:H12")
    wb.save(path)
    return path


def simple_roster(path: Path, count: int, *, start: int = 0, header_title: bool = True) -> Path:
    """``count`` valid, distinct volunteers (for the GUI, CLI, killed-import and benchmark runs)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    if header_title:
        ws.append(["志愿者花名册"])
    ws.append(["姓名", "身份证号", "手机号", "技能", "政治面貌", "楼栋", "单元", "房号", "登记日期"])
    surnames, given = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    for n in range(start, start + count):
        birth = date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
        id_number = make_id("442000", birth, f"{(n // 600) % 1000:03d}")
        name = surnames[n % 16] + given[(n // 16) % 20] + given[(n // 320) % 20]
        ws.append([name, id_number, f"139{n:08d}", "急救、电工" if n % 3 == 0 else "", "群众", f"{n % 30 + 1}栋",
                   f"{n % 4 + 1}单元", f"{n % 30 + 1:02d}0{n % 4 + 1}", "2026-03-05"])
    wb.save(path)
    return path
