"""The printed card's PDF (issue 16): an A6 page with an embedded CJK font, the texts the issue asks for, and a
vector QR that a camera reads back (rendered by poppler's pdftoppm, decoded by zxing-cpp) as the card's token."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from healthcode.codes import card_pdf, cards, service
from healthcode.codes.errors import CardFontMissing
from tests.codes.factories import NOW, person
from tests.qrcodes import read_qr_codes


def _pdf(db, settings, tmp_path: Path) -> tuple[cards.Card, Path]:
    card = cards.print_card(db, settings, person(db, name="欧阳小明"), NOW, "cli")
    path = tmp_path / "card.pdf"
    path.write_bytes(card_pdf.render(card, settings.card_font_path))
    return card, path


def test_the_card_pdf_is_a6_with_an_embedded_cjk_font_and_the_texts(db, settings, tmp_path):
    card, path = _pdf(db, settings, tmp_path)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages: +1$", info, re.M) and "297.64 x 419.53 pts" in info  # 105 x 148 mm
    assert "Mon Feb 24 01:00:00 2020 UTC" in info  # made at the platform's time (09:00 Asia/Shanghai)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and " yes yes " in fonts  # embedded, subset
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("八闽健康码（纸质卡）", "欧**明", f"卡号：{card.serial}", "打印日期：2020-02-24",
                     "有效期至：2021-02-23", "本卡不显示健康码颜色，由扫码点联网查验", "作废"):
        assert expected in text, expected
    assert "绿码" not in text and "橙码" not in text


def test_the_printed_qr_reads_back_as_the_cards_token(db, settings, tmp_path):
    card, path = _pdf(db, settings, tmp_path)

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "card")], check=True)
    image = Image.open(tmp_path / "card.png")

    assert image.size == (621, 875)  # A6 at 150 dpi (poppler rounds up)
    assert [b.text for b in read_qr_codes(image)] == [card.qr_text]
    assert service.resolve(db, card.qr_text, NOW).kind == "card"


def test_without_the_cjk_font_the_pdf_is_refused_with_a_clear_message(db, settings, tmp_path):
    card = cards.print_card(db, settings, person(db), NOW, "cli")

    with pytest.raises(CardFontMissing, match="fonts-wqy-zenhei"):
        card_pdf.render(card, tmp_path / "missing.ttc")
