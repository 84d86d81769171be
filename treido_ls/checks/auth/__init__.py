"""Auth rules: server code must verify the user before it touches data."""
