"""What circles announce to the rest of the product without depending on it.

Circles own meetings and who is in them; the calendars app, which reads circles, writes the
invitations. A service sends `meeting_notice` inside the transaction of every change that people
who hold an invitation must hear of, and the calendars app records and sends it once the change
has committed (calendars/receivers.py).
"""

from django.dispatch import Signal

# meeting: CircleMeeting; people: list[Person] to tell; cancel: bool (a CANCEL for these people,
# though the meeting itself may go on, as for a member who leaves); reason: str, said in the email.
meeting_notice = Signal()
