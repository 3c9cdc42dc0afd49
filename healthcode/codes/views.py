"""How a code's colour is named where it is shown (the citizen's page, `healthcode code issue`)."""

from __future__ import annotations

COLOR_LABELS = {"green": "绿码", "orange": "橙码", "yellow": "黄码", "red": "红码"}


def color_label(color: str) -> str:
    return COLOR_LABELS.get(color, color)
