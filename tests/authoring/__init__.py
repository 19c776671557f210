"""Tests of loader, YAML positions and messages."""
