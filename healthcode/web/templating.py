"""Jinja2 templates with gettext: the UI's source texts are Simplified Chinese; a catalogue for another language can
be added under healthcode/locale without touching the templates."""

from __future__ import annotations

import gettext
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

WEB = Path(__file__).parent
LOCALE = WEB.parent / "locale"

env = Environment(
    loader=FileSystemLoader(str(WEB / "templates")), autoescape=select_autoescape(), extensions=["jinja2.ext.i18n"]
)
translations = gettext.translation("messages", localedir=str(LOCALE), languages=["zh_CN"], fallback=True)
env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
templates = Jinja2Templates(env=env)
_ = translations.gettext
