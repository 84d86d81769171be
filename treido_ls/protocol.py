"""pygls protocol with two changes.

- A request whose params fail to deserialize gets an error reply: pygls 2.1 raises from its JSON
  object hook and the read loop only logs it, so the client would wait forever.
- Text synchronisation skips pygls' own document copy: the server keeps its own (it needs the
  pre-edit text for tree-sitter), and updating pygls' copy costs more per keystroke than parsing.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from lsprotocol import types
from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

log = logging.getLogger(__name__)


class _Answered:
    """Stands in for a message we already answered; pygls ignores messages without jsonrpc 2.0."""

    jsonrpc = "answered"


class TreidoProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" not in data or "method" not in data:
                raise  # a notification or a response: nothing to answer
            method = data.get("method")
            log.warning("invalid params for %s (request %s): answered with an error", method, data.get("id"))
            error = ResponseError(code=exc.code, message=f"Invalid params for {method}", data=None)
            self._send_response(data["id"], error=error)
            return _Answered()

    def _user_handler(self, method: str, params: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

