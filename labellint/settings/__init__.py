"""How labellint runs: the config file, the resolved rule policy, and baselines."""
