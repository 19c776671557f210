"""Tests of the scenario library."""
