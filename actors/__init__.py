"""Bundled actor profiles (YAML), found through importlib.resources by sim.registry."""
