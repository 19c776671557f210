"""Tests of actor profiles and the profile player."""
