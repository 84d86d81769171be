"""Workspace model: configuration and what one file needs to know about the others."""
