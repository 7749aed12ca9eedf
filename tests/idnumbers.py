"""Valid test ID numbers, computed here (GB 11643-1999) rather than by the code under test."""

from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 over the first 17 digits."""
    assert len(body) == 17 and body.isdigit()
    return CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def complete(body: str) -> str:
    """The 17 digits with their check character appended."""
    return body + check_character(body)


def make_id(region: str, birth: date | str, sequence: str) -> str:
    birth_text = birth.strftime("%Y%m%d") if isinstance(birth, date) else birth
    return complete(f"{region}{birth_text}{sequence}")
