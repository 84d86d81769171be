"""JSON with comments (`//`, `/* */`) and trailing commas, parsed into a tree with byte offsets.

Config diagnostics must point at the exact key or value, so every node remembers its byte range in
the original source (BOM included). Any malformed input raises `JsoncError` with the byte range of
the offending token; nothing else escapes `parse`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["MAX_DEPTH", "JsonMember", "JsonNode", "JsoncError", "NodeKind", "parse"]

NodeKind = Literal["object", "array", "string", "number", "bool", "null"]

# Hostile input such as 100k opening brackets must not exhaust the Python stack.
MAX_DEPTH = 200

_BOM = b"\xef\xbb\xbf"
_WS = re.compile(rb"[ \t\r\n]+")
_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# What a user would read as one token; used to size error ranges for junk like `True` or `0x1f`.
_WORD = re.compile(rb"[A-Za-z0-9_$.+\-]+")
# A string with no escapes, no control characters: the common case, decoded in one go.
_SIMPLE_STRING = re.compile(rb'"([^"\\\x00-\x1f]*)"')
_STRING_RUN = re.compile(rb'[^"\\\x00-\x1f]+')
_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")
_FRACTION_OR_EXPONENT = re.compile(rb"[.eE]")
_ESCAPES = {ord('"'): '"', ord("\\"): "\\", ord("/"): "/", ord("b"): "\b", ord("f"): "\f",
            ord("n"): "\n", ord("r"): "\r", ord("t"): "\t"}
_LITERALS: dict[bytes, tuple[NodeKind, Any]] = {
    b"true": ("bool", True), b"false": ("bool", False), b"null": ("null", None)}


class JsoncError(Exception):
    """Malformed input; `start`/`end` is the byte range of the offending token."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"JsoncError({self.message!r}, {self.start}, {self.end})"


@dataclass(frozen=True, slots=True)
class JsonMember:
    """One `"key": value` pair; the key range includes its quotes."""

    key: str
    key_start: int
    key_end: int
    value: JsonNode


@dataclass(frozen=True, slots=True)
class JsonNode:
    """A parsed value. `value` is the plain Python value (what `json.loads` would give, so duplicate
    keys: last wins); `members`/`items` hold the positioned children of objects/arrays."""

    kind: NodeKind
    value: Any
    start: int
    end: int
    members: tuple[JsonMember, ...] = ()
    items: tuple[JsonNode, ...] = ()

    def member(self, key: str) -> JsonMember | None:
        """The last member named `key` (the one that counts, as in `json.loads`)."""
        for m in reversed(self.members):
            if m.key == key:
                return m
        return None


def parse(source: bytes) -> JsonNode:
    """Parse one JSONC document. Offsets are bytes into `source`; a leading UTF-8 BOM is skipped."""
    parser = _Parser(bytes(source))
    node = parser.value(0)
    parser.skip_trivia()
    if parser.pos < len(parser.src):
        start, end = parser.token_range()
        raise JsoncError(f"unexpected {parser.describe(start, end)} after the end of the document",
                         start, end)
    return node


class _Parser:
    def __init__(self, src: bytes) -> None:
        self.src = src
        self.pos = len(_BOM) if src.startswith(_BOM) else 0

    # -- trivia and error helpers -------------------------------------------------------------

    def skip_trivia(self) -> None:
        src = self.src
        while True:
            m = _WS.match(src, self.pos)
            if m:
                self.pos = m.end()
            if src.startswith(b"//", self.pos):
                self.pos = self._line_end(self.pos)
            elif src.startswith(b"/*", self.pos):
                close = src.find(b"*/", self.pos + 2)
                if close < 0:
                    raise JsoncError("unterminated block comment", self.pos, len(src))
                self.pos = close + 2
            else:
                return

    def _line_end(self, pos: int) -> int:
        ends = [i for i in (self.src.find(b"\n", pos), self.src.find(b"\r", pos)) if i >= 0]
        return min(ends) if ends else len(self.src)

    def token_range(self) -> tuple[int, int]:
        """Byte range of the token at `pos` (empty at end of input)."""
        src, pos = self.src, self.pos
        if pos >= len(src):
            return pos, pos
        m = _WORD.match(src, pos)
        if m:
            return pos, m.end()
        if src[pos] == ord('"'):
            return pos, self._string_extent(pos)
        return pos, pos + len(self._char_at(pos))

    def _string_extent(self, pos: int) -> int:
        """End of the string token starting at `pos`, or of its line when it is unterminated."""
        i = pos + 1
        src = self.src
        while i < len(src):
            c = src[i]
            if c == ord('"'):
                return i + 1
            if c in (ord("\n"), ord("\r")):
                return i
            i += 2 if c == ord("\\") else 1
        return len(src)

    def describe(self, start: int, end: int) -> str:
        if start >= len(self.src):
            return "end of input"
        text = self.src[start:end].decode("utf-8", "replace")
        if text.startswith('"'):
            return "string"
        return f"'{text}'" if len(text) <= 40 else f"'{text[:40]}...'"

    def fail_here(self, expected: str) -> JsoncError:
        start, end = self.token_range()
        return JsoncError(f"expected {expected}, found {self.describe(start, end)}", start, end)

    # -- values --------------------------------------------------------------------------------

    def value(self, depth: int) -> JsonNode:
        self.skip_trivia()
        src, pos = self.src, self.pos
        if pos >= len(src):
            raise JsoncError("expected a value, found end of input", pos, pos)
        c = src[pos]
        if c == ord("{") or c == ord("["):
            if depth >= MAX_DEPTH:
                raise JsoncError(f"nesting deeper than {MAX_DEPTH} levels", pos, pos + 1)
            return self.object(depth + 1) if c == ord("{") else self.array(depth + 1)
        if c == ord('"'):
            text, start, end = self.string()
            return JsonNode("string", text, start, end)
        if c == ord("-") or ord("0") <= c <= ord("9"):
            return self.number()
        return self.literal()

    def literal(self) -> JsonNode:
        start, end = self.token_range()
        found = _LITERALS.get(self.src[start:end])
        if found is None:
            if self.src[start:end] == b"'":
                raise JsoncError("strings use double quotes", start, end)
            raise self.fail_here("a value")
        self.pos = end
        return JsonNode(found[0], found[1], start, end)

    def number(self) -> JsonNode:
        start, end = self.token_range()
        m = _NUMBER.match(self.src, start)
        if m is None or m.end() != end:
            raise JsoncError(f"invalid number {self.describe(start, end)}", start, end)
        text = self.src[start:end]
        self.pos = end
        try:
            value: int | float = float(text) if _FRACTION_OR_EXPONENT.search(text) else int(text)
        except ValueError:  # more digits than Python's int-from-str limit
            raise JsoncError("number too long", start, end) from None
        return JsonNode("number", value, start, end)

    # Containers inline their children's parsing: fewer Python frames per nesting level.
    def object(self, depth: int) -> JsonNode:
        start = self.pos
        members: list[JsonMember] = []
        for _ in self._children(b"}", "member"):
            if self.src[self.pos] != ord('"'):
                raise self.fail_here("a string key or '}'")
            key, key_start, key_end = self.string()
            self.skip_trivia()
            if not self._at(b":"):
                raise self.fail_here("':' after the key")
            self.pos += 1
            members.append(JsonMember(key, key_start, key_end, self.value(depth)))
        value = {m.key: m.value.value for m in members}
        return JsonNode("object", value, start, self.pos, members=tuple(members))

    def array(self, depth: int) -> JsonNode:
        start = self.pos
        items: list[JsonNode] = []
        for _ in self._children(b"]", "element"):
            items.append(self.value(depth))
        return JsonNode("array", [n.value for n in items], start, self.pos, items=tuple(items))

    def _children(self, close: bytes, what: str) -> Iterator[None]:
        """Yield once per child, positioned at its first token; handles commas (a trailing one is
        allowed) and leaves `pos` after the closing bracket."""
        open_pos = self.pos
        self.pos += 1
        expect_comma = False
        while True:
            self.skip_trivia()
            if self.pos >= len(self.src):
                raise JsoncError(f"'{self.src[open_pos:open_pos + 1].decode()}' is never closed",
                                 open_pos, open_pos + 1)
            if self._at(close):
                self.pos += 1
                return
            if expect_comma:
                self._comma(close, what)
                expect_comma = False
                continue
            yield None
            expect_comma = True

    def _comma(self, close: bytes, what: str) -> None:
        if self._at(b","):
            self.pos += 1
            return
        start, end = self.token_range()
        starts_child = self.src[start] == ord('"') if close == b"}" else self._starts_value(start)
        if starts_child:
            raise JsoncError(f"missing ',' before this {what}", start, end)
        raise self.fail_here(f"',' or '{close.decode()}'")

    def _starts_value(self, pos: int) -> bool:
        return self.src[pos] in b'{["-0123456789' or self.src.startswith((b"true", b"false", b"null"), pos)

    def _at(self, token: bytes) -> bool:
        return self.src.startswith(token, self.pos)

    # -- strings -------------------------------------------------------------------------------

    def string(self) -> tuple[str, int, int]:
        """Parse the string at `pos`; returns (text, start, end)."""
        start = self.pos
        m = _SIMPLE_STRING.match(self.src, start)
        if m:
            text = self._decode(m.group(1), start + 1)
            self.pos = m.end()
            return text, start, self.pos
        parts: list[str] = []
        self.pos += 1
        while True:
            run = _STRING_RUN.match(self.src, self.pos)
            if run:
                parts.append(self._decode(run.group(), self.pos))
                self.pos = run.end()
            if self.pos >= len(self.src):
                raise JsoncError("unterminated string", start, self._string_extent(start))
            c = self.src[self.pos]
            if c == ord('"'):
                self.pos += 1
                return "".join(parts), start, self.pos
            if c == ord("\\"):
                parts.append(self._escape(start))
            elif c in (ord("\n"), ord("\r")):
                raise JsoncError("unterminated string", start, self.pos)
            else:
                raise JsoncError("control character in string; escape it", self.pos, self.pos + 1)

    def _decode(self, raw: bytes, offset: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = offset + exc.start
            raise JsoncError("invalid UTF-8", bad, offset + max(exc.end, exc.start + 1)) from None

    def _escape(self, string_start: int) -> str:
        """Decode the escape at `pos` (a backslash), combining \\uD83D\\uDE00-style surrogate pairs."""
        src, pos = self.src, self.pos
        if pos + 1 >= len(src):
            raise JsoncError("unterminated string", string_start, len(src))
        kind = src[pos + 1]
        if kind in _ESCAPES:
            self.pos = pos + 2
            return _ESCAPES[kind]
        if kind != ord("u"):
            raise JsoncError("invalid escape", pos, pos + 1 + len(self._char_at(pos + 1)))
        code = self._hex4(pos)
        self.pos = pos + 6
        if 0xD800 <= code < 0xDC00 and src.startswith(b"\\u", self.pos):
            low = _HEX4.fullmatch(src, self.pos + 2, self.pos + 6)
            if low and 0xDC00 <= int(low.group(), 16) < 0xE000:
                self.pos += 6
                return chr(0x10000 + ((code - 0xD800) << 10) + (int(low.group(), 16) - 0xDC00))
        # A lone surrogate stays as is, like json.loads does.
        return chr(code)

    def _char_at(self, pos: int) -> bytes:
        """The whole UTF-8 character at `pos`, so error ranges never split one."""
        end = pos + 1
        if pos < len(self.src) and self.src[pos] < 0xC0:  # ASCII, or a stray continuation byte
            return self.src[pos:end]
        while end < len(self.src) and end - pos < 4 and 0x80 <= self.src[end] < 0xC0:
            end += 1
        return self.src[pos:end]

    def _hex4(self, pos: int) -> int:
        m = _HEX4.fullmatch(self.src, pos + 2, pos + 6)
        if m is None:
            end = pos + 2
            while end < min(pos + 6, len(self.src)) and self.src[end:end + 1] in b"0123456789abcdefABCDEF":
                end += 1
            raise JsoncError("invalid \\u escape; expected 4 hex digits", pos, end)
        return int(m.group(), 16)
