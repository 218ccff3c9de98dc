"""The demo gives the Seljord pilot practice a stratified synthetic list and care plans the nurse can work on."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db
def test_demo_imports_stratifies_and_plans(registry: Any, make_user: Any, settings: Any) -> None:
    from pht.apps.accounts.models import Organisation, OrganisationKind
    from pht.apps.care import demo
    from pht.apps.care.models import CarePlan, CareTask, ListResident, TargetGroupMembership
    from pht.site.demo import demo_practice

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    practice = demo_practice()
    organisation = Organisation.objects.create(
        kind=OrganisationKind.PRACTICE, name=practice.name, practice=practice
    )
    nurse = make_user("sykepleier", roles=["nurse"], organisation=organisation)
    said: list[str] = []
    demo.build_demo(said.append)
    listed = ListResident.objects.filter(practice=practice)
    assert listed.count() > 500
    members = listed.filter(memberships__isnull=False).distinct().count()
    assert 0.05 * listed.count() < members < 0.6 * listed.count()
    assert TargetGroupMembership.objects.exclude(reason="").count() == TargetGroupMembership.objects.count()
    plans = CarePlan.objects.filter(resident__practice=practice, created_by=nurse)
    assert plans.count() == demo.DEMO_PLANS
    assert CareTask.objects.filter(plan__in=plans, role="gp").count() == demo.DEMO_PLANS
    # Plans went to the most needy patients.
    top = listed.order_by("-need_score", "id").first()
    assert plans.filter(resident=top).exists()
    # Running the demo again keeps what is there.
    demo.build_demo(said.append)
    assert CarePlan.objects.filter(resident__practice=practice).count() == demo.DEMO_PLANS
    assert any("already imported" in line for line in said)
