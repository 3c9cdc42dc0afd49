"""Reading QR codes in tests: only the two QR symbologies, so that a random pattern inside a QR is never also taken
for a 1D barcode (zxing-cpp once found a Codabar 'A86C' in an issued code's image)."""

from __future__ import annotations

from typing import Any

import zxingcpp

QR_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)


def read_qr_codes(image: Any) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=QR_FORMATS)
