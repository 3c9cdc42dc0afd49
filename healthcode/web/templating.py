"""Jinja2 templates with gettext: the UI's source texts are Simplified Chinese; a catalogue for another language can
be added under healthcode/locale without touching the templates."""

from __future__ import annotations

import gettext
from pathlib import Path

from fastapi.templating import Jinja2Templates

WEB = Path(__file__).parent
LOCALE = WEB.parent / "locale"

templates = Jinja2Templates(directory=str(WEB / "templates"), extensions=["jinja2.ext.i18n"])
translations = gettext.translation("messages", localedir=str(LOCALE), languages=["zh_CN"], fallback=True)
templates.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
_ = translations.gettext
