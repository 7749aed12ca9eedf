"""A station's settings (``StationSetting``): small typed values under a key, such as the backbone rule.

These helpers only read and write; the service that owns a setting checks the permission to
change it, validates the value and audits the change (see ``training.set_backbone_rule``).
Values are stored as text: integers in decimal, anything else as JSON.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import StationSetting

MAX_KEY_LENGTH = 50


def get_text(session: Session, station_id: int, key: str) -> str | None:
    """The stored text, or None when the station never set this key."""
    return session.scalar(
        select(StationSetting.value).where(StationSetting.station_id == station_id, StationSetting.key == key)
    )


def get_many(session: Session, station_id: int, keys: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The stored texts of several keys at once (keys never set are left out)."""
    rows = session.execute(
        select(StationSetting.key, StationSetting.value).where(
            StationSetting.station_id == station_id, StationSetting.key.in_(list(keys))
        )
    )
    return {key: value for key, value in rows}


def get_int(session: Session, station_id: int, key: str, default: int) -> int:
    """An integer setting; ``default`` when it was never set or is not a whole number."""
    return parse_int(get_text(session, station_id, key), default)


def parse_int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text.strip())
    except ValueError:
        return default


def get_json(session: Session, station_id: int, key: str, default: Any = None) -> Any:  # noqa: ANN401
    text = get_text(session, station_id, key)
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def set_text(session: Session, station_id: int, key: str, value: str) -> str | None:
    """Store ``value`` under ``key`` (insert or replace); returns the previous text (None if new)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"setting key must be 1–{MAX_KEY_LENGTH} characters: {key!r}")
    row = session.get(StationSetting, (station_id, key))
    if row is None:
        session.add(StationSetting(station_id=station_id, key=key, value=value))
        session.flush()
        return None
    previous = row.value
    row.value = value
    return previous


def set_int(session: Session, station_id: int, key: str, value: int) -> int | None:
    """Store an integer; returns the previous value (None if new or unreadable)."""
    previous = set_text(session, station_id, key, str(int(value)))
    return None if previous is None else parse_int(previous, 0)


def set_json(session: Session, station_id: int, key: str, value: Any) -> Any:  # noqa: ANN401
    previous = set_text(session, station_id, key, json.dumps(value, ensure_ascii=False, sort_keys=True))
    if previous is None:
        return None
    try:
        return json.loads(previous)
    except ValueError:
        return None
