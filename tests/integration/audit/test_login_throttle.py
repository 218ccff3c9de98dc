"""Login throttling (issue 10): holds under parallel attempts, keyed by account and client so an attacker
cannot lock out a user elsewhere, and a locked or unknown account answers like a wrong password."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from pht.apps.accounts.backends import LockoutModelBackend, throttle_keys
from pht.apps.accounts.models import User

PASSWORD = "Riktig-passord-2026"


@pytest.fixture
def kari(db: Any, settings: Any) -> User:
    settings.PHT_LOCKOUT_ATTEMPTS = 3
    settings.PHT_LOCKOUT_MINUTES = 15
    return User.objects.create_user("kari", password=PASSWORD)


def _login(password: str, address: str = "10.0.0.1", username: str = "kari") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.post("/login/", {"username": username, "password": password})
    return client


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_locks_the_account_from_that_client_only(kari: User) -> None:
    for _ in range(3):
        assert not _logged_in(_login("feil"))
    assert not _logged_in(_login(PASSWORD))  # locked from 10.0.0.1
    assert _logged_in(_login(PASSWORD, address="10.0.0.2"))  # the user elsewhere is not locked out


def test_a_right_password_clears_the_account_counter(kari: User) -> None:
    for _ in range(2):
        _login("feil")
    assert _logged_in(_login(PASSWORD))
    for _ in range(2):
        _login("feil")
    assert _logged_in(_login(PASSWORD))


def test_in_flight_attempts_take_slots_atomically(kari: User) -> None:
    """Parallel attempts each reserve a slot before the password is checked: however many arrive at
    once, no more than the limit are ever evaluated."""
    from django.utils import timezone

    from pht.apps.accounts.backends import _reserve

    key, limit = throttle_keys("kari", "10.0.0.9")[0]
    now = timezone.now()
    assert [_reserve(key, limit, now) for _ in range(5)] == [True, True, True, False, False]


def test_a_client_spraying_account_names_is_throttled(kari: User, settings: Any) -> None:
    for i in range(30):
        _login("feil", address="10.0.0.3", username=f"navn{i}")
    assert not _logged_in(_login(PASSWORD, address="10.0.0.3"))
    assert _logged_in(_login(PASSWORD, address="10.0.0.4"))


def test_successful_logins_do_not_use_up_the_client_allowance(kari: User) -> None:
    for _ in range(40):
        assert _logged_in(_login(PASSWORD, address="10.0.0.5"))


def _timed(username: str, password: str, address: str) -> float:
    backend = LockoutModelBackend()
    from django.test import RequestFactory

    request = RequestFactory().post("/login/", REMOTE_ADDR=address)
    start = time.perf_counter()
    assert backend.authenticate(request, username=username, password=password) is None
    return time.perf_counter() - start


def test_locked_unknown_and_wrong_answer_in_comparable_time(kari: User, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    kari.set_password(PASSWORD)
    kari.save()
    for _ in range(3):
        _timed("kari", "feil", "10.0.0.6")

    def median(samples: list[float]) -> float:
        return sorted(samples)[len(samples) // 2]

    locked = median([_timed("kari", PASSWORD, "10.0.0.6") for _ in range(5)])
    wrong = median([_timed("kari", "feil", f"10.0.1.{i}") for i in range(5)])
    unknown = median([_timed("finnesikke", "feil", f"10.0.2.{i}") for i in range(5)])
    # A locked account still computes a hash: it is not answered in a fraction of the time.
    assert locked > wrong / 3 and unknown > wrong / 3, (locked, wrong, unknown)


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_lock_after_the_limit(settings: Any, monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises the whole database)")
    from django.contrib.auth.backends import ModelBackend

    settings.PHT_LOCKOUT_ATTEMPTS = 3
    User.objects.create_user("ola", password=PASSWORD)
    checked: list[int] = []
    original = ModelBackend.authenticate

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        checked.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)

    def attempt() -> None:
        try:
            _login("feil", username="ola")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 3  # only the limit of passwords was ever checked
    assert not _logged_in(_login(PASSWORD, username="ola"))  # and the account is locked from this client
