"""Fixtures for the care app: two practices (A, B) with a few list residents each, staff per role."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from care_data import contacts_csv, make_fnr, residents_csv


@pytest.fixture
def care(orgs, make_user, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from pht.apps.care import actions

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    practice_a = orgs["practice_a"].practice
    practice_b = orgs["practice_b"].practice
    users = {
        "nurse_a": make_user("nurse_a", roles=["nurse"], organisation=orgs["practice_a"], first_name="Nina"),
        "gp_a": make_user("gp_a", roles=["gp"], organisation=orgs["practice_a"], first_name="Geir"),
        "admin_a": make_user(
            "admin_a", roles=["secretary", "practice_admin"], organisation=orgs["practice_a"]
        ),
        "nurse_b": make_user("nurse_b", roles=["nurse"], organisation=orgs["practice_b"]),
        "directorate": make_user("dir", roles=["case_officer"], organisation=orgs["directorate"]),
        "evaluator": make_user("eval", roles=["evaluator"], organisation=orgs["evaluation"]),
        "superuser": make_user(
            "root", roles=["administrator"], organisation=orgs["directorate"], is_superuser=True
        ),
    }
    actions.import_bytes(users["admin_a"], practice_a, residents_csv(practice_a), "a.csv", "residents")
    actions.import_bytes(users["admin_a"], practice_a, contacts_csv(), "a-contacts.csv", "contacts")
    other = {"b1": (datetime.date(1950, 2, 2), 400)}
    actions.import_bytes(users["nurse_b"], practice_b, residents_csv(practice_b, other), "b.csv", "residents")
    return {"practice_a": practice_a, "practice_b": practice_b, "users": users, "fnr": make_fnr}
