"""The HTTP API (django-ninja), under /api/, with its OpenAPI document at /api/openapi.json.

Authentication: a bearer token (``Authorization: Bearer <key>``, see ``accounts.ApiToken``), tried
first, or the browser session (with CSRF for unsafe methods). A request that carries a bearer token is
judged by the token alone: CSRF does not apply to it (no cookie is involved), and an unknown, expired
or revoked token is refused with 401 rather than falling back to a session. Scoping is the same as the
pages'.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from pht.apps.accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = ApiToken.user_for(token)
        if user is None:
            raise HttpError(401, "invalid, expired or revoked token")
        request.user = user
        return user


api = NinjaAPI(title="PHT API", version="1", auth=[TokenAuth(), django_auth], urls_namespace="api")

from pht.api.registry import router as registry_router  # noqa: E402
from pht.api.tokens import router as tokens_router  # noqa: E402
from pht.apps.care.api import router as care_router  # noqa: E402
from pht.apps.finance.api import router as finance_router  # noqa: E402
from pht.apps.scheme.api import router as scheme_router  # noqa: E402

api.add_router("/", registry_router)
api.add_router("/tokens/", tokens_router)
api.add_router("/scheme/", scheme_router)
api.add_router("/finance/", finance_router)
api.add_router("/care/", care_router)
