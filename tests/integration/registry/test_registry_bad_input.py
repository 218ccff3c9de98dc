"""Bad input on the roster form: refused with the field named, never a 500 (issue 10)."""

from __future__ import annotations

import pytest

from pht.apps.accounts.models import Role
from pht.apps.registry.models import TeamMember


@pytest.mark.parametrize(
    ("field", "value"),
    [("hpr", "9²0000001"), ("hpr", "٩٠٠٠٠٠٠٠١"), ("fte", "1e400"), ("fte", "NaN"), ("name", "x" * 201)],
)
def test_bad_roster_values_are_refused_not_a_crash(client, make_user, orgs, field, value):  # type: ignore[no-untyped-def]
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    data = {"name": "Nina", "role": "nurse", "fte": "0.5", "hpr": "", field: value}
    response = client.post(f"/registry/practices/{own.orgnr}/members/", data, follow=True)
    assert response.status_code == 200
    assert not TeamMember.objects.exists()
