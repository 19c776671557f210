"""Actor profiles (YAML) and the profile-driven computer players."""
