"""HCM-QA core library: data, topic gate, retrieval, training, evaluation and answering.

This package is a plain library. It reads no environment variables (except in ``hcmqa.cli``,
the command-line boundary), touches no database and knows nothing of Celery or Flask.
"""

__version__ = "0.1.0"
