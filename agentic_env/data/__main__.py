import sys

from agentic_env.data.cli import main

sys.exit(main())
