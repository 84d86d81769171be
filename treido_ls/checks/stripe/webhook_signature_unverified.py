"""stripe/webhook-signature-unverified: a Stripe webhook acts on a payload it never verified."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from treido_ls import syntax
from treido_ls.checks import check
from treido_ls.checks._stripe import event_type_uses, is_webhook_handler_file, raw_payload_source, verifier_calls
from treido_ls.context import FileContext
from treido_ls.model import Violation


@check("stripe/webhook-signature-unverified")
def webhook_signature_unverified(ctx: FileContext) -> Iterator[Violation]:
    if not is_webhook_handler_file(ctx) or verifier_calls(ctx):
        return
    reported: set[int] = set()
    for member in event_type_uses(ctx):
        event = member.child_by_field_name("object")
        if event is None:
            continue
        source = raw_payload_source(event)
        if source is None or source.node.start_byte in reported:
            continue
        reported.add(source.node.start_byte)
        yield Violation(
            source.node.start_byte, source.node.end_byte,
            ctx.message(event=syntax.text(event), source=_short(source.node)),
            data={"event": syntax.text(event)},
        )


def _short(node: Node) -> str:
    text = " ".join(syntax.text(node).split())
    return text if len(text) <= 40 else text[:37] + "..."
