"""Screens of the TUI: setup, privacy, seat, composer, control, results, debrief, help."""
