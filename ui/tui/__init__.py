"""The Textual app behind `sitroom play`: screens, widgets and styles; no game rules."""
