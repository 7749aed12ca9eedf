"""Where the program keeps its data, and which database it opens."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "StationApp"
DATABASE_ENV = "STATION_APP_DATABASE_URL"
DATA_DIR_ENV = "STATION_APP_DATA_DIR"
DEFAULT_DB_NAME = "station.db"


def data_dir() -> Path:
    """The per-user data directory (created on demand).

    ``STATION_APP_DATA_DIR`` overrides it, e.g. for a portable install on a USB stick.
    """
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve().as_posix()}"


def database_url(cli_value: str | None = None) -> str:
    """The database to open: ``--database``, then the environment, then the local default file."""
    if cli_value:
        return cli_value
    env = os.environ.get(DATABASE_ENV)
    if env:
        return env
    return sqlite_url(data_dir() / DEFAULT_DB_NAME)


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
