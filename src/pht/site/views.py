from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pht.apps.accounts.models import OrganisationKind
from pht.apps.accounts.todos import todos_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation  # type: ignore[union-attr]
    context = {
        "todos": todos_for(request.user),
        "own_practice": organisation.practice
        if organisation and organisation.kind == OrganisationKind.PRACTICE
        else None,
        "own_municipality": organisation.municipality
        if organisation and organisation.kind == OrganisationKind.MUNICIPALITY
        else None,
    }
    return render(request, "home.html", context)
