"""Tests of archive, logs, exports."""
