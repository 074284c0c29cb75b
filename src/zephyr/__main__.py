"""``python -m zephyr``: the same as the ``zephyr`` command."""

import sys

from zephyr.cli import main

if __name__ == "__main__":
    sys.exit(main())
