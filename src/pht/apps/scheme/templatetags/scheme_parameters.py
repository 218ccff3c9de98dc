"""``{% call_parameters call as parameters %}``: the call's parameters with labels and formatted values.

Each item has ``key`` (for ``{% assumption call key %}``), ``label`` and ``value`` in the page's language
(``pht.apps.scheme.parameters``); an unknown key shows as the raw key and value.
"""

from __future__ import annotations

from django import template

from pht.apps.scheme.models import Call
from pht.apps.scheme.parameters import Parameter
from pht.apps.scheme.parameters import call_parameters as _call_parameters

register = template.Library()


@register.simple_tag
def call_parameters(call: Call) -> list[Parameter]:
    return _call_parameters(call)
