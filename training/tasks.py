"""Work done in the background by the task worker (`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from training.imports import import_run_execute


@task()
def import_run_task(run_id: int) -> None:
    import_run_execute(run_id=run_id)
