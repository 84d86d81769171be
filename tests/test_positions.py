"""The one codec: byte offsets <-> LSP positions under utf-16 / utf-8, with emoji, CJK and CRLF."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from treido_ls.positions import UTF8, UTF16, UTF32, LineIndex, Point, encode_text

TEXT = "a🛒b\r\n購物車 café\nx"


def test_emoji_counts_two_utf16_units_and_four_bytes() -> None:
    index = LineIndex(encode_text(TEXT))
    offset_b = encode_text(TEXT).index(b"b")
    assert index.position(offset_b, UTF16) == Point(0, 3)
    assert index.position(offset_b, UTF8) == Point(0, 5)
    assert index.position(offset_b, UTF32) == Point(0, 2)
    assert index.offset(0, 3, UTF16) == offset_b
    assert index.offset(0, 5, UTF8) == offset_b


def test_crlf_is_one_line_break() -> None:
    index = LineIndex(encode_text(TEXT))
    cafe = encode_text(TEXT).index("café".encode())
    assert index.position(cafe, UTF16) == Point(1, 4)
    assert index.line_count == 3
    # An offset between \r and \n belongs to the end of line 0.
    assert index.position(encode_text(TEXT).index(b"\n"), UTF16) == Point(0, 4)


def test_past_the_end_positions_clamp() -> None:
    source = encode_text(TEXT)
    index = LineIndex(source)
    assert index.offset(0, 999, UTF16) == source.index(b"\r")
    assert index.offset(99, 0, UTF16) == len(source)
    assert index.offset(-1, 5, UTF16) == 0


def test_middle_of_a_surrogate_pair_rounds_down() -> None:
    index = LineIndex(encode_text("🛒x"))
    assert index.offset(0, 1, UTF16) == 0  # inside the emoji: its start
    assert index.offset(0, 2, UTF16) == 4


def test_cli_column_counts_characters() -> None:
    source = encode_text("購物車 x")
    assert LineIndex(source).column(source.index(b"x")) == 5


@given(st.text(alphabet=st.sampled_from(list("ab \n\r\t🛒購é\u2028")), max_size=60), st.data())
def test_round_trip(text: str, data: st.DataObject) -> None:
    source = encode_text(text)
    index = LineIndex(source)
    offset = data.draw(st.integers(0, len(source)))
    for encoding in (UTF8, UTF16, UTF32):
        point = index.position(offset, encoding)
        back = index.offset(point.line, point.character, encoding)
        # Round trips land on a character boundary at or before the offset, on the same line.
        assert back <= offset
        assert index.line_of(back) == point.line
