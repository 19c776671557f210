"""Bundled scenarios and move catalogues (YAML), found through importlib.resources by sim.registry."""
