"""An example labellint plugin (see README.md)."""
