"""Tests of after-action reports."""
