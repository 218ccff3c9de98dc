"""The HTTP API (django-ninja), under /api/, with its OpenAPI document at /api/openapi.json.

Authentication: a bearer token (``Authorization: Bearer <key>``, see ``accounts.ApiToken``), tried
first, or the browser session (with CSRF for unsafe methods). A request that carries a bearer token is
judged by the token alone: CSRF does not apply to it (no cookie is involved), and an unknown, expired
or revoked token is refused with 401 rather than falling back to a session. Scoping is the same as the
pages'.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, django_auth

from pht.apps.accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = ApiToken.user_for(token)
        if user is None:
            raise HttpError(401, "invalid, expired or revoked token")
        request.user = user
        return user


# The refusals every operation can give, documented once for all routers (apps add routers; nobody has to
# remember to list these on each operation). Bodies are django-ninja's: {"detail": ...}.
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"title": "Detail"}},
    "required": ["detail"],
}
_REFUSALS = {
    "400": "The body is not valid JSON, or a parameter carries a NUL byte.",
    "401": "No valid credentials: a missing, unknown, expired or revoked token, or no session.",
    "403": "The role or organisation may not do this.",
    "404": "No such record, or not one the caller may see (scoping answers 404, never a hint).",
    "422": "A parameter or the body does not match the schema (each error names its field).",
}


class PhtApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                codes = []
                if operation.get("security"):
                    codes += ["401", "403"]
                if "{" in path:
                    codes.append("404")
                if operation.get("requestBody"):
                    codes.append("400")
                if operation.get("parameters"):
                    # A query string can carry a NUL byte, which RefuseNulBytes answers with 400.
                    codes.append("400")
                if operation.get("parameters") or operation.get("requestBody"):
                    codes.append("422")
                responses = operation.setdefault("responses", {})
                # django-ninja keys its own responses by int: a str key beside it would be written twice
                # into the JSON, and Swagger UI's parser refuses duplicate keys (blank page).
                present = {str(code) for code in responses}
                for code in dict.fromkeys(codes):
                    if code in present:
                        continue
                    responses.setdefault(
                        code,
                        {
                            "description": _REFUSALS[code],
                            "content": {"application/json": {"schema": _DETAIL}},
                        },
                    )
        return schema


# /api/docs (Swagger UI, page in templates/ninja/swagger.html) without deep links: with them, each
# operation's path is a link inside the button that unfolds the operation, and a control inside a control
# is one a screen reader or keyboard user cannot tell apart (WCAG 4.1.2). The address no longer follows
# the unfolded operation; everything else is the same.
api = PhtApi(
    title="PHT API",
    version="1",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs=Swagger(settings={"deepLinking": False}),
)

from pht.api.registry import router as registry_router  # noqa: E402
from pht.api.tokens import router as tokens_router  # noqa: E402
from pht.apps.care.api import router as care_router  # noqa: E402
from pht.apps.evaluation.api import router as evaluation_router  # noqa: E402
from pht.apps.finance.api import router as finance_router  # noqa: E402
from pht.apps.scheme.api import router as scheme_router  # noqa: E402

api.add_router("/", registry_router)
api.add_router("/tokens/", tokens_router)
api.add_router("/scheme/", scheme_router)
api.add_router("/finance/", finance_router)
api.add_router("/care/", care_router)
api.add_router("/evaluation/", evaluation_router)
