"""Bundled data files (fonts, seed data), loaded with importlib.resources."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def resource_path(*parts: str):  # noqa: ANN201 - a Traversable
    node = files(__package__)
    for part in parts:
        node = node / part
    return node


def load_json(name: str) -> Any:
    return json.loads(resource_path("data", name).read_text(encoding="utf-8"))
