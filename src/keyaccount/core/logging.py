"""Logging helpers referenced from ``settings.LOGGING``."""

import logging


class OneLineClientErrors(logging.Filter):
    """A 4xx answer (a 404 for a record outside the user's visibility, a 403 for an action they
    may not take) is ordinary: log it as one line, without the traceback Django attaches. Server
    errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
