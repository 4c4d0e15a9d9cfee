"""The demo's partner agencies: the roster's partners (police, probation, health, mental health,
speech and language therapy) are given their employers, by job title, after the roster import.

Only who employs them changes, so the demo's training figures (the published Table 1) stay as
they are. Probation and the police supervise their own staff, so their circles alone count them
as embedded; the health partners need a council 2:1 like the council's own staff.
"""

from __future__ import annotations

from training.models import Organisation, OrganisationKind, Person, RoleGroup
from training.services import organisation_save
from training.signals import records_changed

# name: (the job titles it employs, whether embedded needs a council 2:1)
PARTNERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "County Probation Service": (("Probation officer",), False),
    "County Constabulary": (("Police liaison officer",), False),
    "County Health Trust": (("School nurse", "Speech and language therapist"), True),
    "Children's Mental Health Service": (("Mental health practitioner",), True),
}


def load_partners() -> list[str]:
    """Create the partner agencies and move the roster's partners to them; running it again
    changes nothing. Returns the lines the demo command prints."""
    moved: list[int] = []
    lines = []
    for name, (job_titles, needs_council_21) in PARTNERS.items():
        organisation = Organisation.objects.filter(name=name).first() or Organisation(
            name=name, kind=OrganisationKind.PARTNER
        )
        if organisation.pk is None or organisation.embedded_needs_council_21 != needs_council_21:
            organisation.embedded_needs_council_21 = needs_council_21
            organisation_save(organisation=organisation)
        people = Person.objects.filter(
            role_group=RoleGroup.PARTNER, job_title__in=job_titles
        ).exclude(organisation=organisation)
        ids = list(people.values_list("pk", flat=True))
        people.update(organisation=organisation)
        moved += ids
        count = Person.objects.filter(organisation=organisation).count()
        lines.append(f"{name}: {count} people")
    # Their figures are counted again under their employer's rule.
    records_changed.send(sender=Person, person_ids=moved, since=None)
    return lines
