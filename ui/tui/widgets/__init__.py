"""Reusable widgets: indicator panel, ladder, timeline, toggle lists, live (lazy) views."""
