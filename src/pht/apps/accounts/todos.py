"""What a person must do now, for the start page: an extensible hook over the installed apps.

Each app's ``AppConfig`` may define ``todos(user) -> list[Todo]``: the things that user must do in that
app, each with a count and the URL of the list filtered to exactly those things. The start page asks every
installed app (``todos_for``) and shows what they give, in app order; an app without the method adds
nothing. Reads only: a to-do is a count of existing data, never a change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Todo:
    key: str  # stable id, e.g. "care.tasks.nurse" (tests and the page's data-todo attribute)
    label: str  # in the page's language
    count: int
    url: str  # the list filtered to these things
    urgent: bool = False  # overdue or below a norm: shown first when the count is not 0


def todos_for(user: Any) -> list[Todo]:
    """Every installed app's to-dos for ``user`` (urgent first, then in app order); none if signed out."""
    if not getattr(user, "is_authenticated", False):
        return []
    found: list[Todo] = []
    for config in apps.get_app_configs():
        hook: Callable[[Any], list[Todo]] | None = getattr(config, "todos", None)
        if callable(hook):
            found.extend(hook(user))
    return sorted(found, key=lambda todo: not (todo.urgent and todo.count))
