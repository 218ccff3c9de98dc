"""The caller's own API tokens: list them and revoke one (issue by the admin or ``ApiToken.issue``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from pht.apps.accounts.audit import record_event
from pht.apps.accounts.models import ApiToken

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None
    active: bool


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _token(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "created_at": t.created_at.isoformat(),
        "expires_at": _iso(t.expires_at),
        "last_used_at": _iso(t.last_used_at),
        "revoked_at": _iso(t.revoked_at),
        "active": t.active,
    }


@router.get("", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    """Your own tokens (never their keys)."""
    return [_token(t) for t in ApiToken.objects.filter(user_id=request.user.pk or 0).order_by("-created_at")]


@router.delete("/{token_id}", response={200: TokenOut})
def revoke_token(request: HttpRequest, token_id: int) -> dict[str, Any]:
    """Revoke one of your own tokens; it authenticates nobody from then on. Another user's token: 404."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user_id=request.user.pk or 0).first()
        if token is None:
            raise HttpError(404, "no such token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(request.user, "accounts.token.revoke", token, after={"revoked": True})  # type: ignore[arg-type]
    return _token(token)
