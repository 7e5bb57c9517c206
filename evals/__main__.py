"""`python -m evals eval ...`: the `mediaplan eval` command without the `mediaplan` CLI."""

import sys

from evals.cli import main

if __name__ == "__main__":
    sys.exit(main())
