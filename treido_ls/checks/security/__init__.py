"""Security checks: secrets, PII and internal errors that leave the server."""
