"""Tests of the engine: numbered rules and properties."""
