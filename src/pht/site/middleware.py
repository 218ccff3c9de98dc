"""Site-wide request checks that every page and API endpoint shares."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(FORM_TYPES):
        # Form fields only: an uploaded file (a PDF) may well contain NUL bytes.
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    body = request.body
    return b"\x00" in body or b"\\u0000" in body


class RefuseNulBytes:
    """A NUL byte in the path, the query string or a form or JSON field is refused with 400.

    No text PHT stores may hold one (PostgreSQL refuses it in text columns, with a server error), and
    none of its forms or APIs has a reason to receive one. The API answers in English, as it always does,
    with its JSON error body ``{"detail": ...}``; a page (a search box, a form) with a page in the language LocaleMiddleware chose before this ran.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                # The API's own error body and content type ({"detail": ...}, application/json), as
                # django-ninja writes its other refusals and the OpenAPI document describes them.
                from pht.api import api

                return api.create_response(request, {"detail": NUL_REFUSED}, status=400)
            page = render_to_string(
                "errors/refused.html",
                {
                    "heading": gettext("The request was not accepted"),
                    "message": gettext(
                        "What was typed or pasted holds a NUL character (a zero byte), which PHT does not "
                        "accept. Remove it and try again."
                    ),
                },
            )
            return HttpResponseBadRequest(page)
        return self.get_response(request)


NUL_REFUSED = "NUL characters are not accepted."


class SecurityHeaders:
    """Content-Security-Policy and ``Cache-Control: no-store`` on every page and API answer.

    Static files never reach this middleware (WhiteNoise answers them before it), so what passes here
    is a page or an API record, which may name a patient: no browser or proxy may keep a copy. Swagger
    UI under ``/api/docs`` gets ``PHT_CSP_DOCS`` (it sets inline styles); every other answer gets
    ``PHT_CSP``, which allows no inline script or style.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        docs = request.path.startswith("/api/docs")
        response.headers.setdefault(
            "Content-Security-Policy", settings.PHT_CSP_DOCS if docs else settings.PHT_CSP
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")
        return response
