"""``python -m agentic_env.evaluator``: see :mod:`agentic_env.evaluator.cli`."""

import sys

from agentic_env.evaluator.cli import main

sys.exit(main())
