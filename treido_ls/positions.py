"""The one place where byte offsets meet LSP positions and human columns.

tree-sitter and the rules work in UTF-8 byte offsets. LSP counts characters in the negotiated
encoding (UTF-16 code units by default, UTF-8 bytes when the client offers it), and the CLI
shows 1-based columns counted in characters. Every conversion goes through `LineIndex`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

# LSP line terminators: \n, \r\n and a lone \r.
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def encode_text(text: str) -> bytes:
    """UTF-8 bytes of editor text; lone surrogates (possible in JSON strings) survive."""
    return text.encode("utf-8", "surrogatepass")


def decode_source(source: bytes) -> str:
    """Text of a buffer that may hold invalid UTF-8 (files on disk): never raises."""
    try:
        return source.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return source.decode("utf-8", "replace")


def _units(segment: bytes, encoding: str) -> int:
    """Length of a byte segment in the given encoding's code units."""
    if encoding == UTF8:
        return len(segment)
    text = decode_source(segment)
    if encoding == UTF32:
        return len(text)
    # UTF-16: one unit per BMP character, two for anything above U+FFFF.
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class Point:
    """A zero-based line and a character offset in some encoding."""

    line: int
    character: int


class LineIndex:
    """Line starts of a UTF-8 buffer, for conversions in both directions."""

    __slots__ = ("_content_ends", "_starts", "source")

    def __init__(self, source: bytes) -> None:
        self.source = source
        starts = [0]
        content_ends: list[int] = []
        for match in _LINE_BREAK.finditer(source):
            content_ends.append(match.start())
            starts.append(match.end())
        content_ends.append(len(source))
        self._starts = starts
        self._content_ends = content_ends

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_of(self, offset: int) -> int:
        offset = max(0, min(offset, len(self.source)))
        return bisect_right(self._starts, offset) - 1

    def line_start(self, line: int) -> int:
        return self._starts[max(0, min(line, len(self._starts) - 1))]

    def line_content_end(self, line: int) -> int:
        """Offset of the line's terminator (or the end of the buffer)."""
        return self._content_ends[max(0, min(line, len(self._content_ends) - 1))]

    def line_bytes(self, line: int) -> bytes:
        return self.source[self.line_start(line) : self.line_content_end(line)]

    def _char_boundary(self, offset: int) -> int:
        """Move back to the start of a UTF-8 sequence so no character is split."""
        while 0 < offset < len(self.source) and (self.source[offset] & 0xC0) == 0x80:
            offset -= 1
        return offset

    def position(self, offset: int, encoding: str = UTF16) -> Point:
        """Byte offset -> LSP position in the given encoding."""
        offset = self._char_boundary(max(0, min(offset, len(self.source))))
        line = self.line_of(offset)
        start = self._starts[line]
        # An offset inside a \r\n pair belongs to the end of the line's content.
        offset = min(offset, self._content_ends[line])
        return Point(line, _units(self.source[start:offset], encoding))

    def offset(self, line: int, character: int, encoding: str = UTF16) -> int:
        """LSP position -> byte offset; clamps past-the-end lines and characters as LSP asks."""
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self.source)
        start = self._starts[line]
        end = self._content_ends[line]
        if character <= 0:
            return start
        if encoding == UTF8:
            return self._char_boundary(min(start + character, end))
        text = decode_source(self.source[start:end])
        units = 0
        for index, ch in enumerate(text):
            width = 2 if encoding == UTF16 and ord(ch) > 0xFFFF else 1
            if units + width > character:
                return start + len(encode_text(text[:index]))
            units += width
        return end

    def column(self, offset: int) -> int:
        """1-based column counted in characters (Unicode code points), as the CLI prints it."""
        return self.position(offset, UTF32).character + 1

    def ts_point(self, offset: int) -> tuple[int, int]:
        """tree-sitter's (row, byte column): rows count \\n only."""
        offset = max(0, min(offset, len(self.source)))
        row = self.source.count(b"\n", 0, offset)
        line_start = self.source.rfind(b"\n", 0, offset) + 1
        return (row, offset - line_start)
