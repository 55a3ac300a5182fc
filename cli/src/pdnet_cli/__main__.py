"""`python -m pdnet_cli`: the same as the `pdnet` console command."""

import sys

from pdnet_cli.main import main

sys.exit(main())
