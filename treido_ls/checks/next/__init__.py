"""Checks of the `next/` rules."""
