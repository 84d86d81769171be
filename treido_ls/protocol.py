"""pygls protocol with one repair: a request whose params fail to deserialize gets an error reply.

pygls 2.1 raises from its JSON object hook and the read loop only logs it, so the client waits
forever for an answer. LSP requires a response to every request.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol

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
