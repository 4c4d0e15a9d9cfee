from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from accounts.models import User
from training.demo import COHORTS, DEMO_ACCOUNTS, DEMO_PASSWORD, PHASES, TEAMS, TRAINERS, build_demo
from training.demo_partners import load_partners
from training.imports import roster_import, training_import
from training.models import Cohort, Phase, ProgrammeSettings, Team


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent: running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        demo = build_demo()
        for name, order, start, end in PHASES:
            Phase.objects.update_or_create(
                name=name, defaults={"order": order, "start_date": start, "end_date": end}
            )
        for name, service_area, _, _ in TEAMS:
            Team.objects.update_or_create(name=name, defaults={"service_area": service_area})
        phases = {phase.name: phase for phase in Phase.objects.all()}
        for index, (phase, name, day1, day2, venue) in enumerate(COHORTS):
            Cohort.objects.update_or_create(
                phase=phases[phase],
                name=name,
                defaults={
                    "day1_date": day1,
                    "day2_date": day2,
                    "venue": venue,
                    "trainer": TRAINERS[index % len(TRAINERS)],
                },
            )
        ProgrammeSettings.load()

        for label, run_import, text, noun in (
            ("roster", roster_import, demo.roster_csv(), "people"),
            ("training", training_import, demo.training_csv(), "attendance records"),
        ):
            result = run_import(text=text)
            if result.errors:
                raise CommandError(
                    f"The demo {label} did not import: " + "; ".join(map(str, result.errors[:5]))
                )
            self.stdout.write(f"Demo {label}: " + " ".join(result.summary(noun)))

        self.stdout.writelines(f"Demo partner agency {line}" for line in load_partners())
        for email, _, _, _, roles in DEMO_ACCOUNTS:
            user = User.objects.get(email=email)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = "Administrator" in roles
            user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
        # Each other app may add its part of the demo in its own `demo.load_demo()`.
        for app in apps.get_app_configs():
            if app.name != "training" and module_has_submodule(app.module, "demo"):
                for line in import_module(f"{app.name}.demo").load_demo():
                    self.stdout.write(f"Demo {app.label}: {line}")
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email, _, _, _, roles in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<32} {', '.join(roles)}")
