"""What training announces to the rest of the product without depending on it.

Training owns courses and who holds a place on them; the calendars app, which reads training,
writes the invitations. A service sends `course_day_notice` inside the transaction of every change
that people confirmed on a course must hear of, and the calendars app records and sends it once
the change has committed (calendars/receivers.py).
"""

from django.dispatch import Signal

# cohort: Cohort; day: CourseDay; people: list[Person] to tell; cancel: bool (a CANCEL for these
# people, though the day itself goes on, as for someone whose place is withdrawn); reason: str,
# said in the email.
course_day_notice = Signal()
