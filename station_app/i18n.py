"""The one translation mechanism for user-visible strings.

Source strings are Simplified Chinese. An English (or any other) interface is one
gettext catalogue away: ``resources/locale/<lang>/LC_MESSAGES/station_app.mo``, chosen
with the ``STATION_APP_LANG`` environment variable. Without a catalogue the Chinese
source strings are shown as they are.
"""

from __future__ import annotations

import gettext
import os
from importlib.resources import files

_DOMAIN = "station_app"


def _load() -> gettext.NullTranslations:
    lang = os.environ.get("STATION_APP_LANG", "").strip()
    if not lang:
        return gettext.NullTranslations()
    localedir = files("station_app") / "resources" / "locale"
    return gettext.translation(_DOMAIN, localedir=str(localedir), languages=[lang], fallback=True)


_translations = _load()


def _(message: str) -> str:
    """Translate ``message`` (a Chinese source string) into the interface language."""
    return _translations.gettext(message)
