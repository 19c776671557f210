"""Computer players that come with the engine: the baseline yardstick."""
