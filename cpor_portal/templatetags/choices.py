"""`{{ obj|display:"field" }}`: a field's choice label, as `obj.get_<field>_display` gives it.

Django's `get_<field>_display()` rebuilds the field's whole choices mapping on every call and
hashes each label to do so, which translates every one of them: a timeline of ten events with
thirty possible actions translated three hundred labels. This filter reads a mapping built once
per field and translates only the label it shows.
"""

from functools import cache

from django import template

register = template.Library()


@cache
def _labels(field) -> dict:
    return dict(field.flatchoices)


@register.filter
def display(instance, field_name: str):
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return _labels(field).get(value, value)
