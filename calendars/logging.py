"""Keep calendar feed tokens out of the application log.

A feed's address is its only credential, and Django logs the path of every refused or failed
request ("Not Found: /calendar/<token>.ics"). This filter, set on Django's request loggers in
settings.LOGGING, shortens each token in a record to its first four characters: enough to tell
two apart in the log, not enough to read anyone's calendar.
"""

from __future__ import annotations

import logging
import re

FEED_PATH = re.compile(r"(/calendar/[^/.\s]{0,4})[^/.\s]*(\.ics)")


def redact(text: str) -> str:
    return FEED_PATH.sub(r"\1…\2", text)


class FeedTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
