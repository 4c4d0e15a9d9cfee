"""Notice that people's records changed, for whatever keeps figures about the past.

The services of every app that change what a person did on a date (course attendance, circle
attendance and meetings, 2:1s, reviews) send `records_changed` with the people concerned and
the first day that changed. The apps that store figures about the past (the dashboards) listen
and bring those people's figures up to date after the change is committed. A signal, rather
than a call, because the figures depend on these apps and not the other way round.
"""

from django.dispatch import Signal

# Sent with person_ids (a list of Person primary keys) and since (a datetime.date).
records_changed = Signal()
