"""The demo organisation: an invented workforce whose roll-out reproduces the published figures.

The roll-out follows the county council evaluated in DfE research report DFE-RR585 (2017):
as of 31 December 2016, 2 trained in the pilot, 16 in implementation phase 1 (5 managers,
11 practitioners) and 150 in phase 2 (11 senior managers, 17 managers, 110 practitioners,
12 partners). Every name is invented. The training after 2016 (phase 3) is invented too, so the
demo has something to show for later dates.

The demo is built as roster and training CSV files and loaded through the same imports an
administrator uses, so loading it twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from training.imports import ImportResult, roster_import, training_import
from training.models import Cohort, Phase, ProgrammeSettings, RoleGroup, Team

SENIOR, MANAGER, PRACTITIONER, PARTNER, ADMIN = (
    RoleGroup.SENIOR_MANAGER.value,
    RoleGroup.MANAGER.value,
    RoleGroup.PRACTITIONER.value,
    RoleGroup.PARTNER.value,
    RoleGroup.ADMIN.value,
)

PUBLISHED_2016 = {
    "Pilot": {PRACTITIONER: 2},
    "Implementation phase 1": {MANAGER: 5, PRACTITIONER: 11},
    "Implementation phase 2": {SENIOR: 11, MANAGER: 17, PRACTITIONER: 110, PARTNER: 12},
}


@dataclass(frozen=True)
class DemoPhase:
    name: str
    order: int
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class DemoCohort:
    phase: str
    name: str
    day1: datetime.date
    day2: datetime.date
    venue: str


@dataclass(frozen=True)
class DemoTeam:
    """A team, how many of each role group it had trained in each phase, and how many of each
    were never trained."""

    name: str
    service_area: str
    trained: dict[str, dict[str, int]] = field(default_factory=dict)
    never_trained: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoAccount:
    """A sign-in for one role, given to a person of the roster in that team and role group."""

    email: str
    team: str
    role_group: str
    job_title: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoAttendance:
    """One line of the training register: a person at (or missing) one day of a cohort."""

    email: str
    phase: str
    cohort: str
    day: int
    date: datetime.date
    attended: bool


# The report's training table; phase 3 is invented.
PHASES = [
    DemoPhase("Development", 0, datetime.date(2015, 5, 1), datetime.date(2015, 10, 31)),
    DemoPhase("Pilot", 1, datetime.date(2015, 11, 1), datetime.date(2016, 2, 29)),
    DemoPhase("Implementation phase 1", 2, datetime.date(2016, 2, 1), datetime.date(2016, 9, 30)),
    DemoPhase("Implementation phase 2", 3, datetime.date(2016, 9, 1), datetime.date(2016, 12, 31)),
    DemoPhase("Implementation phase 3", 4, datetime.date(2017, 1, 1), datetime.date(2017, 6, 30)),
]

COHORTS = [
    DemoCohort(
        "Pilot",
        "Pilot cohort",
        datetime.date(2015, 11, 3),
        datetime.date(2015, 11, 10),
        "Shire Hall",
    ),
    DemoCohort(
        "Implementation phase 1",
        "Phase 1 cohort A",
        datetime.date(2016, 2, 16),
        datetime.date(2016, 2, 23),
        "Shire Hall",
    ),
    DemoCohort(
        "Implementation phase 1",
        "Phase 1 cohort B",
        datetime.date(2016, 4, 19),
        datetime.date(2016, 4, 26),
        "Cheltenham Municipal Offices",
    ),
    DemoCohort(
        "Implementation phase 1",
        "Phase 1 cohort C",
        datetime.date(2016, 6, 14),
        datetime.date(2016, 6, 21),
        "Coleford Training Centre",
    ),
    DemoCohort(
        "Implementation phase 1",
        "Phase 1 cohort D",
        datetime.date(2016, 9, 6),
        datetime.date(2016, 9, 13),
        "Shire Hall",
    ),
    *[
        DemoCohort(
            "Implementation phase 2",
            f"Phase 2 cohort {letter}",
            datetime.date(2016, 9, 20) + datetime.timedelta(days=12 * index),
            datetime.date(2016, 9, 27) + datetime.timedelta(days=12 * index),
            venue,
        )
        for index, (letter, venue) in enumerate(
            zip(
                "ABCDEFGH",
                [
                    "Shire Hall",
                    "Stroud Sub Rooms",
                    "Cheltenham Municipal Offices",
                    "Shire Hall",
                    "Coleford Training Centre",
                    "Tewkesbury Borough Offices",
                    "Shire Hall",
                    "Cirencester Old Memorial Hall",
                ],
                strict=True,
            )
        )
    ],
    DemoCohort(
        "Implementation phase 3",
        "Phase 3 cohort A",
        datetime.date(2017, 1, 17),
        datetime.date(2017, 1, 24),
        "Shire Hall",
    ),
    DemoCohort(
        "Implementation phase 3",
        "Phase 3 cohort B",
        datetime.date(2017, 3, 7),
        datetime.date(2017, 3, 14),
        "Stroud Sub Rooms",
    ),
    DemoCohort(
        "Implementation phase 3",
        "Phase 3 cohort C",
        datetime.date(2017, 5, 9),
        datetime.date(2017, 5, 16),
        "Shire Hall",
    ),
]
TRAINERS = ["Restorative practice trainer", "BASE model trainer"]

# Teams, with the people trained in each phase by role group and the people never trained.
TEAMS = [
    DemoTeam(
        "Gloucester Pod 7",
        "Multi-agency pods",
        {"Pilot": {PRACTITIONER: 2}, "Implementation phase 2": {MANAGER: 1, PRACTITIONER: 2}},
        {PRACTITIONER: 1},
    ),
    DemoTeam(
        "Health Team",
        "Health",
        {
            "Implementation phase 1": {MANAGER: 1, PRACTITIONER: 1},
            "Implementation phase 2": {PRACTITIONER: 3},
        },
        {PRACTITIONER: 3},
    ),
    DemoTeam(
        "Cheltenham District",
        "Integrated districts",
        {
            "Implementation phase 1": {MANAGER: 1, PRACTITIONER: 2},
            "Implementation phase 2": {MANAGER: 1, PRACTITIONER: 4},
        },
        {PRACTITIONER: 3},
    ),
    DemoTeam(
        "Forest of Dean District",
        "Integrated districts",
        {
            "Implementation phase 1": {MANAGER: 1, PRACTITIONER: 2},
            "Implementation phase 2": {MANAGER: 1, PRACTITIONER: 4},
        },
        {PRACTITIONER: 2},
    ),
    DemoTeam(
        "CIC Wraparound",
        "Children in care",
        {"Implementation phase 1": {PRACTITIONER: 1}, "Implementation phase 2": {PRACTITIONER: 3}},
        {MANAGER: 1, PRACTITIONER: 2},
    ),
    DemoTeam(
        "Gloucester North",
        "Integrated districts",
        {
            "Implementation phase 1": {MANAGER: 1, PRACTITIONER: 1},
            "Implementation phase 2": {MANAGER: 1, PRACTITIONER: 3},
        },
        {PRACTITIONER: 3},
    ),
    DemoTeam(
        "Gloucester District Team",
        "Integrated districts",
        {
            "Implementation phase 1": {MANAGER: 1, PRACTITIONER: 1},
            "Implementation phase 2": {MANAGER: 1, PRACTITIONER: 3},
        },
        {PRACTITIONER: 2},
    ),
    DemoTeam(
        "Gloucester Pods",
        "Multi-agency pods",
        {"Implementation phase 1": {PRACTITIONER: 1}, "Implementation phase 2": {PRACTITIONER: 2}},
        {MANAGER: 1, PRACTITIONER: 2},
    ),
    DemoTeam(
        "Child Sexual Exploitation Team",
        "Exploitation",
        {
            "Implementation phase 1": {PRACTITIONER: 2},
            "Implementation phase 2": {MANAGER: 1, PRACTITIONER: 2},
        },
        {PRACTITIONER: 1},
    ),
    DemoTeam(
        "Stroud Integrated District Team",
        "Integrated districts",
        {
            "Implementation phase 2": {MANAGER: 2, PRACTITIONER: 16},
            "Implementation phase 3": {PRACTITIONER: 3},
        },
        {PRACTITIONER: 4},
    ),
    DemoTeam(
        "Cotswold Integrated District Team",
        "Integrated districts",
        {
            "Implementation phase 2": {MANAGER: 2, PRACTITIONER: 16},
            "Implementation phase 3": {PRACTITIONER: 2},
        },
        {PRACTITIONER: 5},
    ),
    DemoTeam(
        "Tewkesbury Integrated District Team",
        "Integrated districts",
        {
            "Implementation phase 2": {MANAGER: 2, PRACTITIONER: 16},
            "Implementation phase 3": {PRACTITIONER: 4},
        },
        {PRACTITIONER: 3},
    ),
    DemoTeam(
        "11+ Children in Care and Care Leavers",
        "Children in care",
        {
            "Implementation phase 2": {MANAGER: 2, PRACTITIONER: 16},
            "Implementation phase 3": {PRACTITIONER: 3},
        },
        {PRACTITIONER: 4},
    ),
    DemoTeam(
        "Multi-disciplinary Health Team",
        "Health",
        {
            "Implementation phase 2": {MANAGER: 2, PRACTITIONER: 12},
            "Implementation phase 3": {PRACTITIONER: 2},
        },
        {PRACTITIONER: 8},
    ),
    DemoTeam(
        "FastTrack Team",
        "Youth justice",
        {"Implementation phase 2": {MANAGER: 1, PRACTITIONER: 8}},
        {PRACTITIONER: 2},
    ),
    DemoTeam("Senior Leadership Team", "Leadership", {"Implementation phase 2": {SENIOR: 11}}, {}),
    DemoTeam(
        "Partner Agencies",
        "Partners",
        {"Implementation phase 2": {PARTNER: 12}, "Implementation phase 3": {PARTNER: 2}},
        {PARTNER: 4},
    ),
    DemoTeam(
        "Administrative Staff",
        "Business support",
        {"Implementation phase 3": {ADMIN: 8}},
        {ADMIN: 6},
    ),
    DemoTeam(
        "Edge of Care Team",
        "Children's social care",
        {"Implementation phase 3": {MANAGER: 1, PRACTITIONER: 6}},
        {PRACTITIONER: 3},
    ),
    DemoTeam(
        "Disabled Children's Team", "Children's social care", {}, {MANAGER: 1, PRACTITIONER: 10}
    ),
]

JOB_TITLES = {
    SENIOR: ["Head of service", "Service manager", "Assistant director", "Operations lead"],
    MANAGER: ["Team manager", "Deputy team manager", "Practice manager"],
    PRACTITIONER: [
        "Case responsible officer",
        "Senior practitioner",
        "Youth justice case responsible officer",
        "Housing worker",
        "Care-leaving worker",
        "CSE engagement worker",
        "Youth worker",
        "Early help worker",
        "Social worker",
    ],
    PARTNER: [
        "Probation officer",
        "Police liaison officer",
        "School nurse",
        "Mental health practitioner",
        "Speech and language therapist",
    ],
    ADMIN: ["Business support officer", "Administrator"],
}

FIRST_NAMES = [
    "Aisha",
    "Alex",
    "Amara",
    "Ben",
    "Beth",
    "Callum",
    "Carys",
    "Chloe",
    "Dan",
    "Dev",
    "Eleanor",
    "Ellis",
    "Farah",
    "Finn",
    "Gemma",
    "Grace",
    "Hannah",
    "Harvey",
    "Imogen",
    "Isaac",
    "Jade",
    "Jamal",
    "Jess",
    "Joel",
    "Kate",
    "Kieran",
    "Laila",
    "Leon",
    "Lucy",
    "Luke",
    "Maya",
    "Megan",
    "Nadia",
    "Nathan",
    "Olivia",
    "Owen",
    "Priya",
    "Rhys",
    "Rosie",
    "Ryan",
    "Sadie",
    "Sam",
    "Sian",
    "Tom",
    "Una",
    "Vikram",
    "Will",
    "Zara",
]
LAST_NAMES = [
    "Abbott",
    "Ahmed",
    "Bailey",
    "Barker",
    "Bevan",
    "Booth",
    "Carter",
    "Chaudhry",
    "Clarke",
    "Dawson",
    "Doyle",
    "Ellis",
    "Evans",
    "Fisher",
    "Foster",
    "Gill",
    "Griffiths",
    "Hart",
    "Hughes",
    "Iqbal",
    "Jenkins",
    "Kaur",
    "Khan",
    "Lloyd",
    "Marsh",
    "Morgan",
    "Nash",
    "Okafor",
    "Owens",
    "Parry",
    "Patel",
    "Price",
    "Quinn",
    "Reid",
    "Rowe",
    "Shah",
    "Stone",
    "Taylor",
    "Thomas",
    "Turner",
    "Vaughan",
    "Walsh",
    "Webb",
    "Wood",
    "Young",
]

EMAIL_DOMAIN = "council.example"
DEMO_PASSWORD = "demo-rollout-2016"


@dataclass
class DemoPerson:
    email: str
    full_name: str
    team: str
    role_group: str
    job_title: str
    line_manager_email: str = ""
    status: str = "active"


@dataclass
class Demo:
    people: list[DemoPerson]
    attendance: list[DemoAttendance]

    def roster_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "email",
                "full_name",
                "team",
                "role_group",
                "job_title",
                "line_manager_email",
                "status",
            ]
        )
        for person in self.people:
            writer.writerow(
                [
                    person.email,
                    person.full_name,
                    person.team,
                    person.role_group,
                    person.job_title,
                    person.line_manager_email,
                    person.status,
                ]
            )
        return out.getvalue()

    def training_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["email", "phase", "cohort", "day", "date", "attended"])
        for line in self.attendance:
            writer.writerow(
                [
                    line.email,
                    line.phase,
                    line.cohort,
                    line.day,
                    line.date.isoformat(),
                    "yes" if line.attended else "no",
                ]
            )
        return out.getvalue()


# The demo accounts, one per role.
DEMO_ACCOUNTS = [
    DemoAccount(
        "practitioner@" + EMAIL_DOMAIN,
        "Cheltenham District",
        PRACTITIONER,
        "Case responsible officer",
        ("Practitioner",),
    ),
    DemoAccount(
        "supervisor@" + EMAIL_DOMAIN,
        "Cheltenham District",
        MANAGER,
        "Team manager",
        ("Supervisor", "Team manager"),
    ),
    DemoAccount(
        "practice.leader@" + EMAIL_DOMAIN,
        "Forest of Dean District",
        PRACTITIONER,
        "Senior practitioner",
        ("Practitioner", "Practice leader"),
    ),
    DemoAccount(
        "programme.lead@" + EMAIL_DOMAIN,
        "Senior Leadership Team",
        SENIOR,
        "Head of service",
        ("Programme lead",),
    ),
    DemoAccount(
        "admin@" + EMAIL_DOMAIN,
        "Administrative Staff",
        ADMIN,
        "Business support officer",
        ("Administrator",),
    ),
]


def build_demo() -> Demo:
    """The same demo organisation every time (a fixed random seed)."""
    rng = random.Random(2016)
    names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    name_iter = iter(names)
    by_slot = {(account.team, account.role_group): account for account in DEMO_ACCOUNTS}

    people: list[DemoPerson] = []
    trained_in: dict[str, list[DemoPerson]] = {phase.name: [] for phase in PHASES}
    untrained: list[DemoPerson] = []

    def new_person(team: str, group: str) -> DemoPerson:
        account = by_slot.pop((team, group), None)
        first, last = next(name_iter)
        if account:
            job_title = account.job_title
            email = account.email
        else:
            job_title = rng.choice(JOB_TITLES[group])
            email = f"{first}.{last}@{EMAIL_DOMAIN}".lower()
        person = DemoPerson(email, f"{first} {last}", team, group, job_title)
        people.append(person)
        return person

    team_managers: dict[str, list[DemoPerson]] = {}
    for team in TEAMS:
        for phase, groups in team.trained.items():
            for group, count in groups.items():
                for _ in range(count):
                    trained_in[phase].append(new_person(team.name, group))
        for group, count in team.never_trained.items():
            for _ in range(count):
                untrained.append(new_person(team.name, group))
        team_managers[team.name] = [
            p for p in people if p.team == team.name and p.role_group == MANAGER
        ]

    seniors = [p for p in people if p.role_group == SENIOR]
    for person in people:
        managers = team_managers[person.team]
        if person.role_group in (SENIOR, MANAGER) or not managers:
            person.line_manager_email = seniors[0].email if person is not seniors[0] else ""
        else:
            person.line_manager_email = managers[0].email

    # The pilot practitioner who went on extended leave and never practised the model.
    trained_in["Pilot"][1].status = "extended_leave"
    # Some people trained in phase 2 have left since; the phase figures still count them.
    for person in trained_in["Implementation phase 2"][20:80:15]:
        person.status = "left"

    attendance: list[DemoAttendance] = []
    cohorts_by_phase: dict[str, list[DemoCohort]] = {}
    for cohort in COHORTS:
        cohorts_by_phase.setdefault(cohort.phase, []).append(cohort)

    def attend(
        person: DemoPerson, phase: str, cohort: DemoCohort, day: int, attended: bool = True
    ) -> None:
        date = cohort.day1 if day == 1 else cohort.day2
        attendance.append(DemoAttendance(person.email, phase, cohort.name, day, date, attended))

    phase1_d = cohorts_by_phase["Implementation phase 1"][3]
    phase2_last = cohorts_by_phase["Implementation phase 2"][-1]
    phase3_first = cohorts_by_phase["Implementation phase 3"][0]
    for phase, trainees in trained_in.items():
        cohorts = cohorts_by_phase.get(phase, [])
        for index, person in enumerate(trainees):
            cohort = cohorts[index % len(cohorts)]
            if phase == "Implementation phase 2" and index % 37 == 5:
                # Day 1 in phase 1's last cohort, missed its day 2, finished in phase 2:
                # credited to phase 2, where the completing day took place.
                attend(person, "Implementation phase 1", phase1_d, 1)
                attend(person, "Implementation phase 1", phase1_d, 2, attended=False)
                attend(person, phase, cohort, 2)
            elif phase == "Implementation phase 3" and index % 6 == 0:
                # Day 1 in December 2016, day 2 in January 2017: part-trained at the end of 2016.
                attend(person, "Implementation phase 2", phase2_last, 1)
                attend(person, "Implementation phase 2", phase2_last, 2, attended=False)
                attend(person, phase, phase3_first, 2)
            else:
                attend(person, phase, cohort, 1)
                attend(person, phase, cohort, 2)
    # A few who came to day 1 only and are still part-trained.
    for person in untrained[::9]:
        attend(person, "Implementation phase 2", cohorts_by_phase["Implementation phase 2"][2], 1)
        attend(
            person,
            "Implementation phase 2",
            cohorts_by_phase["Implementation phase 2"][2],
            2,
            attended=False,
        )

    for phase, groups in PUBLISHED_2016.items():
        built: dict[str, int] = {}
        for person in trained_in[phase]:
            built[person.role_group] = built.get(person.role_group, 0) + 1
        if built != groups:  # a guard against editing the tables above out of step
            raise AssertionError(f"demo {phase} trains {built}, the report says {groups}")
    return Demo(people=people, attendance=attendance)


# Loading ----------------------------------------------------------------------------------------


class DemoNotLoaded(Exception):
    """A part of the demo that the imports refused (the tables above are out of step)."""


@transaction.atomic
def load_roster() -> list[str]:
    """The phases, teams and cohorts, then the roster through the administrator's import."""
    for phase in PHASES:
        Phase.objects.update_or_create(
            name=phase.name,
            defaults={"order": phase.order, "start_date": phase.start, "end_date": phase.end},
        )
    for team in TEAMS:
        Team.objects.update_or_create(name=team.name, defaults={"service_area": team.service_area})
    phases = {phase.name: phase for phase in Phase.objects.all()}
    for index, cohort in enumerate(COHORTS):
        Cohort.objects.update_or_create(
            phase=phases[cohort.phase],
            name=cohort.name,
            defaults={
                "day1_date": cohort.day1,
                "day2_date": cohort.day2,
                "venue": cohort.venue,
                "trainer": TRAINERS[index % len(TRAINERS)],
            },
        )
    ProgrammeSettings.load()
    return _imported("roster", roster_import(text=build_demo().roster_csv()), "people")


@transaction.atomic
def load_training() -> list[str]:
    """Who attended which day of which cohort, through the administrator's import."""
    result = training_import(text=build_demo().training_csv())
    return _imported("training", result, "attendance records")


def _imported(label: str, result: ImportResult, noun: str) -> list[str]:
    if result.errors:
        raise DemoNotLoaded(
            f"The demo {label} did not import: " + "; ".join(map(str, result.errors[:5]))
        )
    return [" ".join(result.summary(noun))]


@transaction.atomic
def load_accounts() -> list[str]:
    """A password and roles for each demo sign-in."""
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = "Administrator" in account.roles
        user.save()
        user.groups.set(Group.objects.filter(name__in=account.roles))
    return [f"{len(DEMO_ACCOUNTS)} sign-ins, one for each role."]
