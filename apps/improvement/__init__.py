"""Satisfaction improvement plans (SPEC M15)."""
