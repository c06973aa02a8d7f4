"""labellint: a Git-native linter and quality toolkit for machine-learning dataset labels."""

__version__ = "0.1.0"
