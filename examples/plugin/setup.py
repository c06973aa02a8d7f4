"""Shim for installers without PEP 660 support (old setuptools without `wheel`); metadata is in pyproject.toml."""

from setuptools import setup

setup()
