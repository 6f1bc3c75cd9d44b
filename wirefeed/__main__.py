"""``python -m wirefeed`` runs the command line."""

import sys

from wirefeed.cli import main

sys.exit(main())
