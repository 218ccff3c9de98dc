"""Login with throttling that holds under concurrency, by account and by client, answering in the
same time whether the account exists, is locked, or the password is wrong.

Every attempt first *reserves* a slot on two counters (``LoginThrottle``) with one conditional UPDATE
each: the account name from this client (limit ``PHT_LOCKOUT_ATTEMPTS``) and this client for any account
(ten times that). A counter at its limit refuses the attempt without looking at the password, so at most
the limit of guesses are ever evaluated in a lockout window, however many arrive in parallel. A wrong
password keeps its slot and locks the counter for ``PHT_LOCKOUT_MINUTES`` once the limit is reached; a
right one clears the account's counter. Keyed on the client, an attacker elsewhere cannot lock a user
out; refused attempts still compute a password hash, so they take as long as a real check.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from pht.apps.accounts.models import LoginThrottle, User

CLIENT_FACTOR = 10  # a client may fail this many times the per-account limit, over all account names


def client_of(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return str(request.META.get("REMOTE_ADDR") or "-")[:100]


def throttle_keys(username: str, client: str) -> list[tuple[str, int]]:
    limit = settings.PHT_LOCKOUT_ATTEMPTS
    return [(f"user:{username.casefold()[:150]}|ip:{client}", limit), (f"ip:{client}", limit * CLIENT_FACTOR)]


def _reserve(key: str, limit: int, now: datetime.datetime) -> bool:
    """Take one attempt on ``key`` atomically; False when it is at its limit or locked."""
    if not LoginThrottle.objects.filter(key=key).exists():
        try:
            with transaction.atomic():
                LoginThrottle.objects.create(key=key)
        except IntegrityError:
            pass  # created by a parallel attempt
    LoginThrottle.objects.filter(key=key, locked_until__lte=now).update(failures=0, locked_until=None)
    taken = LoginThrottle.objects.filter(key=key, failures__lt=limit, locked_until__isnull=True).update(
        failures=F("failures") + 1
    )
    return taken == 1


def _failed(key: str, limit: int, now: datetime.datetime) -> None:
    until = now + datetime.timedelta(minutes=settings.PHT_LOCKOUT_MINUTES)
    LoginThrottle.objects.filter(key=key, failures__gte=limit, locked_until__isnull=True).update(
        locked_until=until
    )


def _release(key: str) -> None:
    """A right password: the account's counter from this client is gone (keeps the table small)."""
    LoginThrottle.objects.filter(key=key).delete()


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        now = timezone.now()
        keys = throttle_keys(username, client_of(request))
        reserved = [(key, limit) for key, limit in keys if _reserve(key, limit, now)]
        if len(reserved) < len(keys):
            make_password(password)  # as long as a real check: a locked account looks like a wrong password
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if isinstance(result, User):
            _release(keys[0][0])  # the account from this client
            # The client's counter gives back this attempt's slot: only failures count against a client.
            LoginThrottle.objects.filter(key=keys[1][0], failures__gt=0, locked_until__isnull=True).update(
                failures=F("failures") - 1
            )
            return result
        for key, limit in keys:
            _failed(key, limit, now)
        return None
