"""One module per command: `run_<command>(request) -> result`; no click, no printing, no exit codes."""
