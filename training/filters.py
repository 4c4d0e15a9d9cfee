import django_filters
from django.db.models import Q, QuerySet

from training.models import Person, PersonStatus, RoleGroup, Team
from training.selectors import TRAINING_STATES, TrainingState


class RosterFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(label="Name or email", method="filter_search")
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")
    role_group = django_filters.ChoiceFilter(
        choices=RoleGroup.choices, empty_label="Any role group"
    )
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, empty_label="Any status")
    training = django_filters.ChoiceFilter(
        label="Training",
        choices=TrainingState.choices,
        empty_label="Any",
        method="filter_training",
    )

    class Meta:
        model = Person
        fields = ["search", "team", "role_group", "status", "training"]

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_training(
        self, queryset: QuerySet[Person], name: str, value: str
    ) -> QuerySet[Person]:
        return queryset.filter(TRAINING_STATES[value])
