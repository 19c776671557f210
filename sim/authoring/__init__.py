"""Authoring: YAML with positions, the loader and its messages, the bundled library, scripts."""
