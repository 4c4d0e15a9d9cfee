from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    """How many cases each practitioner works with the model, month by month.

    An app of its own rather than part of supervision: the figure is recorded three ways (by the
    practitioner, confirmed in a 2:1, imported) and read by the roll-out report and the
    dashboard; a 2:1 is only one of its writers.
    """

    name = "caseload"
    verbose_name = "Cases worked with the model"
