"""sitroom's headless core: models, loader, engine. Never imports the TUI."""

__version__ = "0.1.0"
