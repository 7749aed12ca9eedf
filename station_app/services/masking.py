"""Masking personal data for screens, exports and the audit log."""

from __future__ import annotations

# Fields whose values are personal data: masked on screen and in the audit log.
SENSITIVE_FIELDS = frozenset(
    {
        "id_number", "phone", "emergency_phone", "guardian_phone", "building", "unit", "room", "address",
        "contact_phone",
    }
)


def mask_id_number(number: str) -> str:
    """442000199001011234 → 442000********1234 (region and tail stay for recognition)."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; 0760-88123456 → 0760-****3456."""
    if sum(map(str.isdigit, phone)) < 7:
        return "*" * len(phone)
    if "-" in phone:
        area, _, rest = phone.partition("-")
        return f"{area}-{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_value(field: str, value: object) -> object:
    """The value as it may be written to the audit log."""
    if value in (None, "") or field not in SENSITIVE_FIELDS:
        return value
    text = str(value)
    if field == "id_number":
        return mask_id_number(text)
    if field in ("phone", "emergency_phone", "guardian_phone", "contact_phone"):
        return mask_phone(text)
    return "***"
