"""``python -m agentic_env.store``: see :mod:`agentic_env.store.cli`."""

import sys

from agentic_env.store.cli import main

sys.exit(main())
