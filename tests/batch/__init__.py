"""Tests of batch runs and statistics."""
