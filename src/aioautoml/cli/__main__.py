"""``python -m aioautoml.cli``: the ``aioautoml`` command."""

import sys

from . import main

sys.exit(main())
