"""Business logic: plain functions that take models or values, flush, and return objects.

Callers (views, CLI commands) commit once at the edge.
"""
