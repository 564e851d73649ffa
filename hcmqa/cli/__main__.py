"""``python -m hcmqa.cli``: the same as the ``hcmqa`` command."""

import sys

from hcmqa.cli import main

sys.exit(main())
