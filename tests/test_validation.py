"""What station staff see when they type ID numbers, phones, names and dates.

Valid ID numbers are built here with the GB 11643-1999 weights, independently of the
code under test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_app.errors import ValidationError
from station_app.services.validation import (
    IdNumberInfo,
    age_on,
    check_id_matches,
    normalize_id_number,
    normalize_phone,
    parse_date,
    parse_id_number,
    validate_name,
    validate_phone,
)

from .idnumbers import make_id

TODAY = date(2025, 6, 1)
# GB/T 2260 province-level codes, plus 83 (台湾居民居住证).
PROVINCES = [
    str(code)
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
    for code in range(first, last + 1)
]


def rejected(func, *args, **kwargs) -> ValidationError:
    """Call ``func`` expecting a ValidationError and hand it back for a look at the message."""
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    return info.value


def id_error(raw: str) -> ValidationError:
    error = rejected(parse_id_number, raw, today=TODAY)
    assert error.field == "id_number"
    return error


valid_ids = st.builds(
    make_id,
    region=st.builds(lambda p, rest: p + rest, st.sampled_from(PROVINCES), st.from_regex(r"[0-9]{4}", fullmatch=True)),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.from_regex(r"[0-9]{3}", fullmatch=True),
)


# --- ID numbers: valid ones ---------------------------------------------------------------------


def test_example_from_the_standard_is_read_correctly() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY)
    assert info == IdNumberInfo(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        gender="女",
        region_code="110105",
        region_known=True,
        region_name="北京市朝阳区",
    )


@pytest.mark.parametrize(
    ("number", "birth", "gender", "place"),
    [
        ("360426199101010071", date(1991, 1, 1), "男", "江西省九江市德安县"),
        (make_id("442000", "19850312", "123"), date(1985, 3, 12), "男", "广东省中山市"),
        (make_id("440703", "19800101", "004"), date(1980, 1, 1), "女", "广东省江门市蓬江区"),
        (make_id("810000", "19900101", "004"), date(1990, 1, 1), "女", "香港特别行政区"),
    ],
)
def test_known_numbers_give_birth_date_gender_and_place(number: str, birth: date, gender: str, place: str) -> None:
    info = parse_id_number(number, today=TODAY)
    assert (info.number, info.birth_date, info.gender, info.region_name) == (number, birth, gender, place)
    assert info.region_known


@given(valid_ids)
def test_every_valid_number_is_accepted_as_typed(number: str) -> None:
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date.strftime("%Y%m%d") == number[6:14]
    assert info.region_code == number[:6]


@given(valid_ids)
def test_gender_follows_the_17th_digit(number: str) -> None:
    expected = "男" if int(number[16]) % 2 == 1 else "女"
    assert parse_id_number(number, today=TODAY).gender == expected


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",
        "110105\u300019491231\u3000002X",
        "110105-19491231-002X",
    ],
)
def test_lower_case_x_full_width_digits_and_spaces_are_tidied(typed: str) -> None:
    assert normalize_id_number(typed) == "11010519491231002X"
    assert parse_id_number(typed, today=TODAY).number == "11010519491231002X"


# --- ID numbers: rejected ones ------------------------------------------------------------------


@given(valid_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_changed_is_rejected(number: str, position: int, replacement: str) -> None:
    changed = number[:position] + replacement + number[position + 1 :]
    if changed != number:
        assert "身份证号" in id_error(changed).message


def test_wrong_check_character_says_so() -> None:
    good = make_id("442000", "19850312", "123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验位不正确" in id_error(bad).message
    assert "最后一位" in id_error(bad).message


def test_old_15_digit_number_asks_for_the_18_digit_one() -> None:
    message = id_error("110105491231002").message
    assert "15位旧身份证号" in message and "18位" in message


@pytest.mark.parametrize(("typed", "length"), [("11010519491231002", "17"), ("11010519491231002X1", "19")])
def test_wrong_length_names_the_length(typed: str, length: str) -> None:
    message = id_error(typed).message
    assert "应为18位" in message and length in message


def test_digits_of_other_scripts_are_refused() -> None:
    arabic_indic = "".maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    assert "数字" in id_error("11010519491231002X".translate(arabic_indic)).message


def test_empty_number_asks_for_one() -> None:
    assert "请填写身份证号" in id_error("   ").message


@pytest.mark.parametrize("typed", ["1101051949123100AX", "11010519491231002Y", "11010519491231002*"])
def test_letters_are_refused(typed: str) -> None:
    message = id_error(typed).message
    assert "数字" in message


def test_february_29_exists_only_in_leap_years() -> None:
    assert parse_id_number(make_id("442000", "20000229", "001"), today=TODAY).birth_date == date(2000, 2, 29)
    for day in ("20230229", "19000229", "19900230", "19901301", "19900000"):
        message = id_error(make_id("442000", day, "001")).message
        assert f"出生日期 {day} 不存在" in message


def test_birth_date_after_today_is_refused_and_today_is_fine() -> None:
    assert parse_id_number(make_id("442000", TODAY, "001"), today=TODAY).birth_date == TODAY
    tomorrow = TODAY + timedelta(days=1)
    message = id_error(make_id("442000", tomorrow, "001")).message
    assert "晚于今天" in message and tomorrow.isoformat() in message


def test_birth_before_1900_is_refused() -> None:
    # The standard's own example 440524188001010014 (born 1880) is no longer a living volunteer.
    assert "早于1900年" in id_error("440524188001010014").message
    assert "早于1900年" in id_error(make_id("442000", "18991231", "001")).message


@pytest.mark.parametrize("province", ["99", "00", "10", "16", "20", "24", "47", "55", "66", "70", "72", "80", "84"])
def test_unknown_province_is_refused(province: str) -> None:
    message = id_error(make_id(province + "0101", "19800101", "001")).message
    assert f"前两位 {province}" in message and "省级" in message


@pytest.mark.parametrize("region", ["442001", "449999", "110199"])
def test_region_code_missing_from_the_table_is_still_accepted(region: str) -> None:
    info = parse_id_number(make_id(region, "19800101", "001"), today=TODAY)
    assert info.region_code == region
    assert info.region_known is False
    assert info.region_name is None


def test_abolished_region_code_is_accepted_with_its_old_name() -> None:
    # 440711 江门市郊区 existed 1984–1994; holders keep their number for life.
    info = parse_id_number(make_id("440711", "19900101", "001"), today=TODAY)
    assert info.region_known and info.region_name == "广东省江门市郊区"
    # A code reused under a new name shows the name valid in the birth year.
    assert parse_id_number(make_id("120110", "19800101", "001"), today=TODAY).region_name == "天津市东郊区"
    assert parse_id_number(make_id("120110", "20000101", "001"), today=TODAY).region_name == "天津市东丽区"


def test_residence_permits_and_foreigners_cards_are_accepted() -> None:
    taiwan = parse_id_number(make_id("830000", "19800101", "001"), today=TODAY)
    assert taiwan.region_name == "台湾地区" and not taiwan.region_known
    # 2023 foreign permanent resident ID: 9, issuing province (44), nationality code, birth date.
    foreigner = parse_id_number(make_id("944156", "19800101", "002"), today=TODAY)
    assert foreigner.birth_date == date(1980, 1, 1) and foreigner.gender == "女"
    assert "前两位 96" in id_error(make_id("960156", "19800101", "002")).message


@given(st.text(max_size=30))
def test_any_input_gives_a_message_never_a_crash(text: str) -> None:
    try:
        parse_id_number(text, today=TODAY)
    except ValidationError as error:
        assert error.message and error.field == "id_number"


# --- ID numbers versus what was typed -----------------------------------------------------------


def test_matching_gender_and_birth_date_pass() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY)
    check_id_matches(info, gender="女", birth_date=date(1949, 12, 31))
    check_id_matches(info, gender=None, birth_date=None)


def test_gender_contradicting_the_id_names_both() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY)
    error = rejected(check_id_matches, info, gender="男", birth_date=None)
    assert "“男”" in error.message and "“女”" in error.message and "不一致" in error.message
    assert error.field == "gender"


def test_birth_date_contradicting_the_id_names_both() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY)
    error = rejected(check_id_matches, info, gender="女", birth_date=date(1949, 12, 30))
    assert "1949-12-30" in error.message and "1949-12-31" in error.message and "不一致" in error.message
    assert error.field == "birth_date"


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1949, 12, 31), date(2025, 12, 30), 75),
        (date(1949, 12, 31), date(2025, 12, 31), 76),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(2000, 2, 29), date(2024, 2, 29), 24),
        (date(2025, 6, 1), date(2025, 6, 1), 0),
    ],
)
def test_age_counts_full_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("(+86) 13812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("0760-88123456", "0760-88123456"),
        ("0760 88123456", "0760-88123456"),
        ("076088123456", "0760-88123456"),
        ("(0760)88123456", "0760-88123456"),
        ("（０７６０）８８１２３４５６", "0760-88123456"),
        ("0760－88123456", "0760-88123456"),
        ("020-12345678", "020-12345678"),
        ("02012345678", "020-12345678"),
        ("010 1234 5678", "010-12345678"),
        ("0760-8812345", "0760-8812345"),
        ("0760-88123456转123", "0760-88123456-123"),
        ("0760-88123456-123", "0760-88123456-123"),
        ("0760-88123456#8", "0760-88123456-8"),
        ("+86 760 88123456", "0760-88123456"),
    ],
)
def test_valid_phones_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert validate_phone(typed) == stored
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "expected_in_message"),
    [
        ("88123456", "区号"),
        ("8812345", "0760"),
        ("138123456789", "11位"),
        ("1381234567", "11位"),
        ("12812345678", "第二位"),
        ("212345678901", "无法识别"),
        ("0760-881234", "7–8位"),
        ("0760-881234567", "7–8位"),
        ("0760-88123456转1234567", "分机号"),
        ("13812345678转1", "分机号"),
        ("138abc45678", "“a”"),
        ("", "请填写"),
        ("001 212 5550100", "中国大陆"),
        ("0", "太短"),
        ("١٣٨١٢٣٤٥٦٧٨", "只填写数字"),
    ],
)
def test_invalid_phones_say_what_is_expected(typed: str, expected_in_message: str) -> None:
    error = rejected(validate_phone, typed)
    assert expected_in_message in error.message
    assert error.field == "phone"


@given(st.text(max_size=30))
def test_phone_checks_never_crash_and_stored_forms_stay_valid(text: str) -> None:
    try:
        stored = validate_phone(text)
    except ValidationError as error:
        assert error.message
        assert isinstance(normalize_phone(text), str)
    else:
        assert validate_phone(stored) == stored


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张三", "张三"),
        ("  李四\u3000", "李四"),
        ("张\u3000三", "张三"),
        ("王  五", "王五"),
        ("𠮷野家", "𠮷野家"),
        ("王䶮", "王䶮"),
        ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉．买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉・买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉 . 买买提", "阿卜杜拉·买买提"),
        ("John  Smith", "John Smith"),
        ("John\xa0\tSmith", "John Smith"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith"),
        ("Jean-Pierre Dupont", "Jean-Pierre Dupont"),
        ("O'Brien", "O'Brien"),
        ("José Müller", "José Müller"),
        ("李〇", "李〇"),
        ("\u200b张三\ufeff", "张三"),
    ],
)
def test_valid_names_are_tidied(typed: str, stored: str) -> None:
    assert validate_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "expected_in_message"),
    [
        ("", "请填写姓名"),
        ("  \u3000 ", "请填写姓名"),
        ("张3", "数字“3”"),
        ("张３", "数字“3”"),
        ("张\n三", "控制字符"),
        ("张\x07三", "控制字符"),
        ("张@三", "“@”"),
        ("·买买提", "间隔号"),
        ("阿卜杜拉··买买提", "连续"),
        ("张-三", "“-”"),
    ],
)
def test_invalid_names_say_what_is_wrong(typed: str, expected_in_message: str) -> None:
    error = rejected(validate_name, typed)
    assert expected_in_message in error.message
    assert error.field == "name"


def test_names_may_have_50_characters_but_not_51() -> None:
    assert validate_name("张" * 50) == "张" * 50
    assert "最多 50 个字" in rejected(validate_name, "张" * 51).message
    assert validate_name("𠮷" * 50) == "𠮷" * 50  # counted as characters, not UTF-16 units


def test_name_errors_use_the_given_label_and_field() -> None:
    error = rejected(validate_name, "李1", field="emergency_contact", label="紧急联系人")
    assert error.message.startswith("紧急联系人") and error.field == "emergency_contact"


@given(st.text(max_size=60))
def test_name_checks_never_crash_and_stored_names_stay_valid(text: str) -> None:
    try:
        stored = validate_name(text)
    except ValidationError as error:
        assert error.message
    else:
        assert validate_name(stored) == stored


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "2024-02-29",
        "2024/2/29",
        "2024.2.29",
        "20240229",
        "2024年2月29日",
        "2024年2月29",
        "２０２４年２月２９日",
        " 2024 - 02 - 29 ",
    ],
)
def test_dates_in_common_forms(typed: str) -> None:
    assert parse_date(typed, label="加入日期") == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("typed", "expected_in_message"),
    [
        ("2023-02-29", "2023年2月29日不存在"),
        ("2024年2月30日", "2024年2月30日不存在"),
        ("2024-04-31", "只有30天"),
        ("2024-13-01", "月份 13"),
        ("2024-00-10", "月份 0"),
        ("0224-01-01", "年份 0224"),
        ("2024-1/5", "无法识别"),
        ("明天", "2024-01-31"),
        ("٢٠٢٤-٠٢-٢٩", "无法识别"),
        ("", "请填写加入日期"),
    ],
)
def test_impossible_dates_say_what_is_wrong(typed: str, expected_in_message: str) -> None:
    error = rejected(parse_date, typed, label="加入日期")
    assert expected_in_message in error.message
    assert "加入日期" in error.message


@given(st.text(max_size=20))
def test_date_parsing_never_crashes(text: str) -> None:
    try:
        parse_date(text, label="日期")
    except ValidationError as error:
        assert error.message
