"""Template filters that mask personal data (R-M7-01): ``{{ person.phone|mask_phone }}``.

Pages of other apps that show an owner's phone or ID number use these filters; the owner archive
itself renders :class:`apps.estates.queries.PersonView` objects, which are masked already.
"""
from django import template

from apps.estates import masking

register = template.Library()


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_id_number(value: str | None) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_name(value: str | None) -> str:
    return masking.mask_name(value)


@register.filter
def mask_plate(value: str | None) -> str:
    return masking.mask_plate(value)


@register.filter
def mask_text(value: str | None, unmasked: bool = False) -> str:
    """Free text with phone and ID numbers masked, unless ``unmasked`` (a print under a grant):
    ``{{ t.content|mask_text:unmasked }}``."""
    return (value or "") if unmasked else masking.mask_text(value)
