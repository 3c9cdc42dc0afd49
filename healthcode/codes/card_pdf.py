"""The printed card's PDF (issue 16): one A6 page (105 × 148 mm) with the card's QR drawn as vector squares (segno's
symbol, best mask), the masked name, the card serial, the print and expiry dates, and how to revoke it.

fpdf2 embeds a subset of the CJK font (a TrueType collection such as Debian's wqy-zenhei.ttc is read by its index)."""

from __future__ import annotations

import logging
from pathlib import Path

from fpdf import FPDF

from healthcode import clock
from healthcode.codes import qr
from healthcode.codes.cards import Card
from healthcode.codes.errors import CardFontMissing

WIDTH, HEIGHT = 105.0, 148.0  # A6, mm
QR_SIZE = 70.0  # mm, quiet zone included
QUIET_ZONE = 4  # modules
# fontTools warns on every subset of wqy-zenhei that it drops the font's bitmap table (BDF), which a PDF never uses.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
TITLE = "八闽健康码（纸质卡）"
NO_COLOUR = "本卡不显示健康码颜色，由扫码点联网查验"
HOW_TO_REVOKE = ("卡片遗失或不再使用时，请登录“八闽健康码”→“为家人申领”→“作废”，或重新打印（旧卡随即作废）。"
                 "本卡仅供本人使用，请勿转借。")


def render(card: Card, font_path: Path) -> bytes:
    """The card's PDF. CardFontMissing when the CJK font is not installed (fonts-wqy-zenhei, or the setting
    HEALTHCODE_CARD_FONT_PATH)."""
    if not font_path.is_file():
        raise CardFontMissing(f"找不到打印纸质健康码所需的中文字体：{font_path}（请安装 fonts-wqy-zenhei，或设置 "
                              "HEALTHCODE_CARD_FONT_PATH）")
    pdf = FPDF(unit="mm", format=(WIDTH, HEIGHT))
    pdf.set_creator("八闽健康码")
    pdf.set_title(TITLE)
    pdf.set_creation_date(card.issued_at.replace(tzinfo=clock.TZ))  # the platform's clock, not the machine's
    pdf.set_auto_page_break(False)
    pdf.set_margins(8, 8, 8)
    pdf.add_page()
    pdf.add_font("cjk", fname=str(font_path))
    pdf.set_font("cjk", size=15)
    pdf.set_y(9)
    pdf.cell(w=0, h=8, text=TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    top = 19.0
    _draw_qr(pdf, card.qr_text, (WIDTH - QR_SIZE) / 2, top, QR_SIZE)
    pdf.set_y(top + QR_SIZE + 1)
    pdf.set_font("cjk", size=16)
    pdf.cell(w=0, h=8, text=card.masked_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for label, value in (("卡号", card.serial), ("打印日期", f"{card.issued_at:%Y-%m-%d}"),
                         ("有效期至", f"{card.expires_at:%Y-%m-%d}")):
        pdf.cell(w=0, h=5.5, text=f"{label}：{value}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_font("cjk", size=9.5)
    pdf.multi_cell(w=0, h=5, text=NO_COLOUR, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("cjk", size=7.5)
    pdf.multi_cell(w=0, h=4, text=HOW_TO_REVOKE, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    pdf.rect(3, 3, WIDTH - 6, HEIGHT - 6)  # a cutting line
    return bytes(pdf.output())


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """The QR as filled rectangles, one per horizontal run of dark modules (vector: sharp at any printer's DPI)."""
    matrix = qr.make(text, fast=False).matrix
    modules = len(matrix) + 2 * QUIET_ZONE
    unit = size / modules
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        column = 0
        while column < len(line):
            if not line[column]:
                column += 1
                continue
            start = column
            while column < len(line) and line[column]:
                column += 1
            # A hair taller than a module: rows overlap instead of leaving a renderer's anti-aliased seam.
            pdf.rect(x + (start + QUIET_ZONE) * unit, y + (row + QUIET_ZONE) * unit, (column - start) * unit,
                     unit + 0.02, style="F")
