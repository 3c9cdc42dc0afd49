"""QR rendering of code text: always a regular QR (segno.make_qr, never Micro QR), error correction at least M."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image

# segno's matrix holds 0x0 (light) and 0x1 (dark); the image wants 255 for light and 0 for dark.
_TO_GREY = bytes([255, 0] + [0] * 254)


def make(text: str, *, fast: bool = True) -> segno.QRCode:
    """The QR symbol. `fast` fixes the mask pattern: choosing the best of eight costs ~10 ms in pure Python and
    buys nothing a phone camera notices; printed codes (`fast=False`) still get the best mask."""
    return segno.make_qr(text, error="m", mask=0 if fast else None)


def png_bytes(text: str, *, scale: int = 4, border: int = 4, fast: bool = True) -> bytes:
    """PNG of the QR, black on white, `scale` pixels a module, a quiet zone of `border` modules."""
    return _png(make(text, fast=fast), scale=scale, border=border)


def save_png(qr_text: str, path: str | Path, *, scale: int = 8) -> None:
    """Writes the QR as a PNG file (for printing: larger modules, best mask)."""
    Path(path).write_bytes(png_bytes(qr_text, scale=scale, fast=False))


def _png(symbol: segno.QRCode, *, scale: int, border: int) -> bytes:
    # Pillow instead of segno's pure-Python PNG writer: the page redraws the code every minute for every resident.
    matrix = symbol.matrix
    size = len(matrix) + 2 * border
    light_rows = b"\xff" * (size * border)
    quiet = b"\xff" * border
    grey = b"".join(quiet + bytes(row).translate(_TO_GREY) + quiet for row in matrix)
    image = Image.frombytes("L", (size, size), light_rows + grey + light_rows)
    image = image.resize((size * scale, size * scale), Image.Resampling.NEAREST).convert("1")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
