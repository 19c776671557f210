"""The scenario library (YAML) and the default move catalogue."""
