"""``python -m worker ...``: the job-system commands without the ``hcmqa`` entry point."""

import sys

from worker.cli import main

sys.exit(main())
