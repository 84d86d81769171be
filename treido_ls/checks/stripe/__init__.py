"""Stripe webhook checks: signature verification, raw bodies, idempotency."""
