"""The server's own copy of each open document: text, version and an incrementally edited tree.

pygls applies content changes to its copy before our handlers run, so the pre-edit text we need
for `Tree.edit` has to live here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Tree

from treido_ls.parsing import Lang, parse
from treido_ls.positions import LineIndex, encode_text


@dataclass(frozen=True, slots=True)
class TextChange:
    """One LSP content change: a range in the negotiated encoding, or None for the whole text."""

    text: str
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None


@dataclass(slots=True)
class Document:
    uri: str
    path: str
    lang: Lang | None
    version: int | None
    source: bytes
    tree: Tree | None = None
    index: LineIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = LineIndex(self.source)
        if self.tree is None and self.lang is not None:
            self.tree = parse(self.lang, self.source)

    def apply(self, changes: list[TextChange], encoding: str) -> None:
        """Replay content changes in order: splice bytes, edit the tree, reparse incrementally."""
        for change in changes:
            if change.start is None or change.end is None:
                self._replace_all(change.text)
            else:
                self._splice(change, encoding)
        if self.lang is not None and self.tree is not None:
            tree = parse(self.lang, self.source, self.tree)
            # Incremental trees can differ from a fresh parse when the text has errors; the
            # CLI parses from scratch, so do the same there to publish identical findings.
            if tree.root_node.has_error:
                tree = parse(self.lang, self.source)
            self.tree = tree

    def _replace_all(self, text: str) -> None:
        self.source = encode_text(text)
        self.index = LineIndex(self.source)
        self.tree = parse(self.lang, self.source) if self.lang is not None else None

    def _splice(self, change: TextChange, encoding: str) -> None:
        assert change.start is not None and change.end is not None
        old_index = self.index
        start = old_index.offset(*change.start, encoding)
        end = old_index.offset(*change.end, encoding)
        if end < start:
            start, end = end, start
        inserted = encode_text(change.text)
        start_point = old_index.ts_point(start)
        old_end_point = old_index.ts_point(end)
        self.source = self.source[:start] + inserted + self.source[end:]
        self.index = LineIndex(self.source)
        new_end = start + len(inserted)
        if self.tree is not None:
            self.tree.edit(
                start_byte=start,
                old_end_byte=end,
                new_end_byte=new_end,
                start_point=start_point,
                old_end_point=old_end_point,
                new_end_point=self.index.ts_point(new_end),
            )

    def reparse(self, lang: Lang | None) -> None:
        """Switch grammar (or stop parsing with None) and parse from scratch."""
        self.lang = lang
        self.tree = parse(lang, self.source) if lang is not None else None

    @property
    def text(self) -> str:
        return self.source.decode("utf-8", "surrogatepass")


class DocumentStore:
    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def open(self, doc: Document) -> Document:
        self._docs[doc.uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> Document | None:
        return self._docs.pop(uri, None)

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)
