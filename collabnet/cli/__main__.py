"""``python -m collabnet.cli``: the same as the ``collabnet`` command."""

import sys

from collabnet.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
