"""What a person must do now, for the start page: an extensible hook over the installed apps.

Each app's ``AppConfig`` may define ``todos(user) -> list[Todo]``: the things that user must do in that
app, each with a count and the URL of the list filtered to exactly those things. The start page asks every
installed app (``todos_for``) and shows what they give, in app order; an app without the method adds
nothing. Reads only: a to-do is a count of existing data, never a change.

A ``TodoQuery`` makes a to-do and its filtered list one thing: the start page counts ``rows(user)`` and
links to the list page with ``?todo=<key>``; that page (``todo_filter``) shows exactly ``rows(user)``
and says so («Showing only … — Show all»), so the count and the list cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.http import Http404, HttpRequest
from django.urls import reverse


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


@dataclass(frozen=True)
class TodoQuery:
    """One kind of to-do: its rows for a user (a queryset or a list) and the list page that shows them."""

    key: str
    label: Any  # a lazy translation: the start page's label and the list page's «Showing only …»
    rows: Callable[[Any], Any]  # user -> the rows of the list page filtered to this to-do
    url_name: str  # the list page
    fragment: str = ""  # e.g. "#tasks-heading": where on the page the list is
    urgent: bool = False
    url_args: Callable[[Any], tuple[Any, ...]] | None = None  # user -> the list page's URL arguments

    def url(self, user: Any = None) -> str:
        args = self.url_args(user) if self.url_args else ()
        return f"{reverse(self.url_name, args=args)}?{urlencode({'todo': self.key})}{self.fragment}"

    def todo(self, user: Any) -> Todo:
        rows = self.rows(user)
        count = len(rows) if isinstance(rows, list | tuple) else rows.count()
        return Todo(self.key, str(self.label), count, self.url(user), self.urgent)


def todo_filter(request: HttpRequest, queries: Iterable[TodoQuery]) -> TodoQuery | None:
    """The to-do a list page is filtered to (``?todo=<key>``), None without one; an unknown key, or one
    not offered on this page, is a 404 (never a silently unfiltered list)."""
    key = request.GET.get("todo")
    if key is None:
        return None
    for query in queries:
        if query.key == key:
            return query
    raise Http404("No such to-do on this page.")


def filter_context(request: HttpRequest, query: TodoQuery | None) -> dict[str, Any]:
    """Context for ``todo_filter.html``: the label shown and the unfiltered page's address."""
    return {"todo_filter": query, "todo_all_url": request.path} if query else {}
