"""`python -m labellint`: the same as the `labellint` command."""

import os
import sys

# `python -m` puts the working folder first on sys.path: a cloned repository's `*.dist-info` there
# would register entry-point plugins and run its code. This package is already imported, so
# dropping the folder changes nothing else.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from labellint.cli import main

if __name__ == "__main__":
    main()
