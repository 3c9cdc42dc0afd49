"""QR rendering: the PNG decodes with zxing-cpp to the very same text, as a regular QR (never Micro QR), level >= M."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from healthcode.codes import qr, service
from tests.codes.factories import NOW, person
from tests.qrcodes import read_qr_codes


def decode(png: bytes) -> list[zxingcpp.Barcode]:
    return read_qr_codes(Image.open(io.BytesIO(png)))


def test_issued_code_png_decodes_to_the_same_text_as_a_regular_qr(db, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)

    found = decode(qr.png_bytes(issued.qr_text))

    assert [(b.format, b.text) for b in found] == [(zxingcpp.BarcodeFormat.QRCode, issued.qr_text)]
    symbol = qr.make(issued.qr_text)
    assert not symbol.is_micro and symbol.error in ("M", "Q", "H")


def test_saved_png_for_printing_decodes_too(db, tmp_path, settings):
    issued = service.issue_for_person(db, settings, person(db), NOW)
    path = tmp_path / "code.png"

    qr.save_png(issued.qr_text, path)

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [b.text for b in decode(path.read_bytes())] == [issued.qr_text]


def test_short_text_still_makes_a_regular_qr_not_micro():
    symbol = qr.make("123456789012")
    assert not symbol.is_micro and symbol.designator.endswith(("M", "Q", "H"))
    assert [b.format for b in decode(qr.png_bytes("123456789012"))] == [zxingcpp.BarcodeFormat.QRCode]


def test_png_has_exactly_the_pixels_segno_draws_itself():
    symbol = qr.make("BMJKM1:" + "6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3" * 5)
    ours = Image.open(io.BytesIO(qr._png(symbol, scale=6, border=4)))
    theirs = io.BytesIO()
    symbol.save(theirs, kind="png", scale=6, border=4)

    assert ours.mode == "1" and ours.size == symbol.symbol_size(scale=6, border=4)
    assert ours.convert("L").tobytes() == Image.open(io.BytesIO(theirs.getvalue())).convert("L").tobytes()
