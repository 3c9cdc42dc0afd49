"""Where the loader's rows come from: the vectorised fast path for clean CSV blocks, the per-row path for the rest.

`parts` yields, in file order, either a list of stored tuples (a block the fast path proved valid) or an iterable of
`(line, row)` pairs for `FeedValidator.convert`, each with a function giving the bytes consumed so far (progress).
The fast path can be switched off (the `feed_fast_path` setting), for comparisons and in case of doubt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from healthcode.feeds.csvblocks import Block, blocks, read_header
from healthcode.feeds.fastpath import FastConverter
from healthcode.feeds.parsing import FeedFile, Row
from healthcode.feeds.validation import FeedValidator

Part = list[tuple[Any, ...]] | Iterable[tuple[int, Row]]


def parts(feed_file: FeedFile, validator: FeedValidator, block_lines: int,
          fast_path: bool) -> Iterator[tuple[Part, Callable[[], int]]]:
    fast = _fast_converter(feed_file, validator) if fast_path else None
    if fast is None:
        yield feed_file.rows(), feed_file.bytes_read
        return
    converter, offset = fast
    header = feed_file.header or []
    for block in blocks(feed_file.path, offset, max(block_lines, 1), header):
        if not isinstance(block, Block):  # the rest of the file, read row by row
            yield block.rows(), partial(int, feed_file.size)
            return
        progress = partial(min, block.end, feed_file.size)
        rows = converter.convert(block.text, block.lines, block.crlf)
        yield (block.rows(header) if rows is None else rows), progress


def _fast_converter(feed_file: FeedFile, validator: FeedValidator) -> tuple[FastConverter, int] | None:
    """The fast path's converter and the offset of the first data line, for a CSV whose header line is clean and
    reads the same as FeedFile read it."""
    if feed_file.format != "csv" or feed_file.header is None:
        return None
    found = read_header(feed_file.path)
    if found is None or found[0] != feed_file.header:
        return None
    converter = FastConverter.for_file(validator, found[0])
    return None if converter is None else (converter, found[1])
