"""Framework versions: publishing, new drafts, and import and export as JSON or CSV.

A published version never changes; editing starts from a new draft copied from it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.roles import Permission, can
from common.spreadsheets import csv_text, restore
from common.validators import validate_single_line
from competencies.models import Area, Competency, Framework, FrameworkVersion, Stage, VersionStatus

CSV_COLUMNS = ["stage", "area_title", "code", "title", "basic", "competent", "advanced"]


class FrameworkLocked(ValidationError):
    """A published framework version cannot be changed."""


def ensure_draft(version: FrameworkVersion) -> None:
    if version.is_published:
        raise FrameworkLocked(f"{version} is published and cannot change; start a new draft.")


def version_as_dict(version: FrameworkVersion) -> dict[str, Any]:
    areas = version.areas.prefetch_related("competencies").order_by("order")
    return {
        "framework": version.framework.name,
        "description": version.framework.description,
        "version": version.number,
        "notes": version.notes,
        "areas": [
            {
                "stage": area.stage,
                "title": area.title,
                "competencies": [
                    {
                        "code": competency.code,
                        "title": competency.title,
                        "basic": competency.basic,
                        "competent": competency.competent,
                        "advanced": competency.advanced,
                    }
                    for competency in area.competencies.all()
                ],
            }
            for area in areas
        ],
    }


def version_as_json(version: FrameworkVersion) -> str:
    return json.dumps(version_as_dict(version), indent=2, ensure_ascii=False)


def version_as_csv(version: FrameworkVersion) -> str:
    return csv_text(
        [
            CSV_COLUMNS,
            *(
                [area["stage"], area["title"], *(competency[key] for key in CSV_COLUMNS[2:])]
                for area in version_as_dict(version)["areas"]
                for competency in area["competencies"]
            ),
        ]
    )


def _areas_from_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames, rows = reader.fieldnames or [], list(reader)
    except csv.Error as error:  # a cell longer than the csv module's limit, for one
        raise ValidationError(f"The file cannot be read as CSV: {error}.") from error
    if [name.strip().lower() for name in fieldnames] != CSV_COLUMNS:
        raise ValidationError("The CSV header must be: " + ", ".join(CSV_COLUMNS))
    areas: dict[str, dict[str, Any]] = {}
    for row in rows:
        # A short row leaves None in its missing cells; _validate names what is then missing.
        # The apostrophe our own download puts before text such as "- listens" comes off again.
        cells = {key: restore(row.get(key) or "") for key in CSV_COLUMNS}
        area = areas.setdefault(
            cells["stage"],
            {"stage": cells["stage"], "title": cells["area_title"], "competencies": []},
        )
        area["competencies"].append({key: cells[key] for key in CSV_COLUMNS[2:]})
    return list(areas.values())


def _longest(model: type[models.Model], name: str) -> int | None:
    field = model._meta.get_field(name)
    return field.max_length if isinstance(field, models.Field) else None


def _text_problem(
    value: object, what: str, longest: int | None, *, one_line: bool = False
) -> str | None:
    """Why `value` cannot be stored as the text `what`, or None when it can. Names and titles
    (`one_line`) must also be single-line text, as their model fields require."""
    if not isinstance(value, str) or not value.strip():
        return f"{what} is required (as text)"
    if "\x00" in value:
        return f"{what} contains a null character"
    if longest and len(value) > longest:
        return f"{what} is longer than {longest} characters"
    if one_line:
        try:
            validate_single_line(value)
        except ValidationError as error:
            return f"{what}: {error.messages[0]}"
    return None


def _validate(areas: object) -> list[str]:
    if not isinstance(areas, list):
        return ["areas must be a list of areas"]
    problems = []
    seen_stages = set()
    for number, area in enumerate(areas, start=1):
        if not isinstance(area, dict):
            problems.append(
                f"area {number}: it must be an object with a stage, title and competencies"
            )
            continue
        stage = area.get("stage")
        if not isinstance(stage, str) or stage not in Stage.values:
            problems.append(
                f"area {number}: stage '{stage}' is not one of {', '.join(Stage.values)}"
            )
        elif stage in seen_stages:
            problems.append(f"area {number}: stage '{stage}' appears twice")
        else:
            seen_stages.add(stage)
        title = area.get("title")
        if problem := _text_problem(title, "title", _longest(Area, "title"), one_line=True):
            problems.append(f"area {number}: {problem}")
        competencies = area.get("competencies")
        if not isinstance(competencies, list) or not competencies:
            problems.append(f"area {number}: it has no competencies")
            continue
        codes = set()
        for index, competency in enumerate(competencies, start=1):
            where = f"area {number}, competency {index}"
            if not isinstance(competency, dict):
                problems.append(f"{where}: it must be an object with a code, title and levels")
                continue
            for key in ("code", "title", "basic", "competent", "advanced"):
                value, longest = competency.get(key), _longest(Competency, key)
                if problem := _text_problem(value, key, longest, one_line=key == "title"):
                    problems.append(f"{where}: {problem}")
            code = competency.get("code")
            if isinstance(code, str) and code and not slug_re.match(code):
                problems.append(f"{where}: code '{code}' may hold only letters, digits, - and _")
            elif isinstance(code, str) and code in codes:
                problems.append(f"{where}: code '{code}' repeats")
            codes.add(code if isinstance(code, str) else None)
    if not areas:
        problems.append("the framework has no areas")
    return problems


@transaction.atomic
def framework_import(*, text: str, file_format: str, name: str | None = None) -> FrameworkVersion:
    """A new draft version from a JSON or CSV file; the framework is created if new."""
    if file_format == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"The file is not valid JSON: {error.msg} (line {error.lineno})."
            ) from error
        except RecursionError as error:
            raise ValidationError("The file nests lists or objects too deeply.") from error
        if not isinstance(data, dict):
            raise ValidationError("The JSON file must hold one framework object.")
        areas = data.get("areas") or []
        name = name or data.get("framework")
        description, notes = data.get("description") or "", data.get("notes") or ""
    else:
        areas, description, notes = _areas_from_csv(text), "", ""
    if not name:
        raise ValidationError("Give the framework a name.")
    problems = [
        problem
        for value, what, longest, one_line in (
            (name, "the framework's name", _longest(Framework, "name"), True),
            (description or "-", "description", None, False),
            (notes or "-", "notes", None, False),
        )
        if (problem := _text_problem(value, what, longest, one_line=one_line))
    ]
    problems += _validate(areas)
    if problems:
        raise ValidationError(problems)
    framework, _ = Framework.objects.get_or_create(name=name, defaults={"description": description})
    version = _new_version(framework, notes=notes or "Imported.")
    _fill(version, areas)
    return version


def _new_version(framework: Framework, *, notes: str) -> FrameworkVersion:
    number = (framework.versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
    return FrameworkVersion.objects.create(framework=framework, number=number, notes=notes)


def _fill(version: FrameworkVersion, areas: list[dict[str, Any]]) -> None:
    for order, area_data in enumerate(areas):
        area = Area.objects.create(
            version=version, stage=area_data["stage"], title=area_data["title"], order=order
        )
        bulk_create_with_history(
            [
                Competency(
                    area=area,
                    code=competency["code"],
                    title=competency["title"],
                    basic=competency["basic"],
                    competent=competency["competent"],
                    advanced=competency["advanced"],
                    order=index,
                )
                for index, competency in enumerate(area_data["competencies"])
            ],
            Competency,
        )


@transaction.atomic
def version_new_draft(*, version: FrameworkVersion) -> FrameworkVersion:
    """A draft copy of a version, to edit and later publish."""
    draft = _new_version(version.framework, notes=f"Draft based on version {version.number}.")
    _fill(draft, version_as_dict(version)["areas"])
    return draft


@transaction.atomic
def version_publish(*, version: FrameworkVersion) -> FrameworkVersion:
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    ensure_draft(version)
    if not Competency.objects.filter(area__version=version).exists():
        raise ValidationError("A version needs at least one competency before it is published.")
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


def current_version() -> FrameworkVersion | None:
    """The most recently published version: new reviews are made against it."""
    return (
        FrameworkVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("-published_at", "-pk")
        .first()
    )


def versions_for_user(user: User) -> QuerySet[FrameworkVersion]:
    """Published versions for everyone; drafts only for those who edit them (administrators),
    since a draft's wording is not yet what anyone is rated against."""
    versions = FrameworkVersion.objects.select_related("framework")
    if can(user, Permission.MANAGE_FRAMEWORK):
        return versions
    return versions.filter(status=VersionStatus.PUBLISHED)


def get_version_for_user(user: User, pk: int) -> FrameworkVersion:
    """A version the person may read, or a 404: to anyone who does not edit drafts, a draft looks
    like a version that does not exist."""
    return get_object_or_404(versions_for_user(user), pk=pk)
