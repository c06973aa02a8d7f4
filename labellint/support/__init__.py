"""Tooling that knows nothing about labels: atomic writes, YAML/TOML error lines, plugin loading, paths."""
