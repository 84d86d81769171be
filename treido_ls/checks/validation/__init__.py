"""Validation rules: untrusted input reaching data writes, Stripe, redirects or the service-role client."""
