"""Keeps each person's stored first attended days (`FirstCourseDays`) in step with their
attendance, however it is written: a service, an import, the admin site or a test's factory.

A saved or deleted attendance record and a saved cohort (its dates or phase may have moved)
store again the first days of the people concerned, in the same transaction. Attendance written
in bulk (the register, the training import) is announced by `records_changed`, sent by
CourseAttendance. Whatever is written past all of these (raw SQL, a restore) is put right by
`refresh_figures`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from training.models import Cohort, CourseAttendance
from training.services import first_days_record
from training.signals import records_changed


@receiver(post_save, sender=CourseAttendance, dispatch_uid="first_days_attendance_saved")
@receiver(post_delete, sender=CourseAttendance, dispatch_uid="first_days_attendance_deleted")
def attendance_changed(sender: object, instance: CourseAttendance, **kwargs: Any) -> None:
    first_days_record(person_ids=[instance.person_id])


@receiver(post_save, sender=Cohort, dispatch_uid="first_days_cohort_saved")
def cohort_saved(sender: object, instance: Cohort, created: bool, **kwargs: Any) -> None:
    if not created:
        first_days_record(
            person_ids=CourseAttendance.objects.filter(cohort=instance, attended=True)
            .values_list("person_id", flat=True)
            .distinct()
        )


@receiver(records_changed, dispatch_uid="first_days_records_changed")
def attendance_written(sender: object, *, person_ids: Iterable[int], **kwargs: Any) -> None:
    if sender is CourseAttendance:
        first_days_record(person_ids=person_ids)
