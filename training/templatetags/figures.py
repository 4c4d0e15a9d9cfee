from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A fraction from 0 to 1 as a whole percentage: 0.5625 -> "56%"."""
    if value is None:
        return "—"
    return f"{value:.0%}"
