"""Records of play: the event log, the session archive, role-redacted exports, headless runs."""
