"""Shared machinery of the stand-in servers."""
