"""`python -m treido_ls` is the `treido-ls` command."""

import sys

from treido_ls.cli import main

sys.exit(main())
