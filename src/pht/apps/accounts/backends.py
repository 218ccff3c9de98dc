"""Login with lockout: after too many failed attempts in a row an account is locked for a while."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from pht.apps.accounts.models import User


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and user.locked_until and user.locked_until > timezone.now():
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            if result is None:
                user.failed_logins += 1
                if user.failed_logins >= settings.PHT_LOCKOUT_ATTEMPTS:
                    user.locked_until = timezone.now() + datetime.timedelta(
                        minutes=settings.PHT_LOCKOUT_MINUTES
                    )
                    user.failed_logins = 0
                User.objects.filter(pk=user.pk).update(
                    failed_logins=user.failed_logins, locked_until=user.locked_until
                )
            elif user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return result if isinstance(result, User) else None
