"""Satisfaction surveys (SPEC M10)."""
