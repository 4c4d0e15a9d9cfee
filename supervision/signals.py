"""What 2:1 supervision announces to the rest of the product without depending on it.

A service sends `session_notice` inside the transaction of every change the supervisor and the
practitioners must hear of; the calendars app records and sends the invitation once the change
has committed (calendars/receivers.py).
"""

from django.dispatch import Signal

# session: SupervisionSession; people: list[Person] to tell; cancel: bool; reason: str.
session_notice = Signal()
