"""The package version, read by the build backend and by score provenance."""

__version__ = "0.1.0"
