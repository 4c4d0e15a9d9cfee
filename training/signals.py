"""What training announces to the rest of the product without depending on it.

Training owns courses and who holds a place on them; the calendars app, which reads training,
writes the invitations. A service sends `course_day_notice` inside the transaction of every change
that people confirmed on a course must hear of, and the calendars app records and sends it once
the change has committed (calendars/receivers.py).

It also tells whatever keeps figures about the past that people's records changed. The
services of every app that change what a person did on a date (course attendance, circle
attendance and meetings, 2:1s, reviews) send `records_changed` with the people concerned and
the first day that changed. The apps that store figures about the past (the dashboards) listen
and bring those people's figures up to date after the change is committed. A signal, rather
than a call, because the figures depend on these apps and not the other way round.
"""

from django.dispatch import Signal

# cohort: Cohort; day: CourseDay; people: list[Person] to tell; cancel: bool (a CANCEL for these
# people, though the day itself goes on, as for someone whose place is withdrawn); reason: str,
# said in the email.
course_day_notice = Signal()

# Sent with person_ids (a list of Person primary keys) and since (a datetime.date).
records_changed = Signal()
