"""QR rendering of code text: always a regular QR (segno.make_qr, never Micro QR), error correction at least M."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import segno

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make(text: str, *, fast: bool = True) -> segno.QRCode:
    """The QR symbol. `fast` fixes the mask pattern: choosing the best of eight costs several times the drawing in
    pure Python and buys nothing a phone camera notices; printed codes (`fast=False`) still get the best mask."""
    return segno.make_qr(text, error="m", mask=0 if fast else None)


def png_bytes(text: str, *, scale: int = 4, border: int = 4, fast: bool = True) -> bytes:
    """PNG of the QR, black on white, `scale` pixels a module, a quiet zone of `border` modules."""
    return _png(make(text, fast=fast), scale=scale, border=border)


def save_png(qr_text: str, path: str | Path, *, scale: int = 8) -> None:
    """Writes the QR as a PNG file (for printing: larger modules, best mask)."""
    Path(path).write_bytes(png_bytes(qr_text, scale=scale, fast=False))


def _png(symbol: segno.QRCode, *, scale: int, border: int) -> bytes:
    """A 1-bit greyscale PNG written directly (numpy scales and packs the modules, zlib compresses): a fifth of the
    CPU of drawing it with Pillow, and the page redraws the code every minute for every resident."""
    matrix = symbol.matrix  # rows of 0x0 (light) and 0x1 (dark)
    modules = np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(len(matrix), -1)
    light = np.pad(modules == 0, border, constant_values=True)  # a 1 bit is white in a greyscale PNG
    pixels = np.repeat(np.repeat(light, scale, axis=0), scale, axis=1)
    rows = np.packbits(pixels, axis=1)
    filtered = np.hstack([np.zeros((rows.shape[0], 1), dtype=np.uint8), rows])  # filter type 0 before each row
    height, width = pixels.shape
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale, no interlace
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(filtered.tobytes(), 1))
            + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
