"""`python -m labellint`: the same as the `labellint` command."""

from labellint.cli import main

if __name__ == "__main__":
    main()
