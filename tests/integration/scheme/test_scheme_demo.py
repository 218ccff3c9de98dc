from typing import Any

import pytest


@pytest.mark.django_db
def test_demo_walks_the_whole_flow_and_is_idempotent() -> None:
    from pht.apps.accounts.models import AuditEvent
    from pht.apps.registry.loading import load_demo_registry, load_municipalities
    from pht.apps.scheme import models as m
    from pht.apps.scheme.demo import APPLICANTS, build_demo

    load_municipalities(2017)
    load_demo_registry(seed=2017, only=tuple(APPLICANTS))
    said: list[str] = []
    build_demo(said.append)
    applications = m.Application.objects.filter(call__code="call-2017").select_related("municipality")
    assert applications.count() == 17
    sizes = {a.verdicts[-1]["inputs"]["size_class"] for a in applications}
    assert sizes == {"small", "medium", "large"}
    assert m.SelectionRun.objects.count() == 2
    first, relaxed = m.SelectionRun.objects.order_by("id")
    assert first.result["status"] == "infeasible" and first.result["conflict"]
    assert relaxed.result["status"] == "optimal" and "0828" in relaxed.result["chosen"]
    assert m.SelectionDecision.objects.get().rationale
    assert m.GrantDecision.objects.filter(status="accepted").count() == 9
    assert m.Instalment.objects.filter(status="approved").exists()
    assert m.Report.objects.filter(status="submitted").count() == 3
    assert m.Clawback.objects.count() == 1
    assert m.ReviewAssignment.objects.filter(status="conflict").count() == 1
    assert AuditEvent.objects.filter(verb__startswith="scheme.").count() > 100
    # Beside the decided 2017 call, an open call a project lead can apply to today.
    import datetime

    from pht.apps.scheme.demo import OPEN_CALL_CODE

    open_call = m.Call.objects.get(code=OPEN_CALL_CODE)
    assert open_call.status == "published" and open_call.deadline_date > datetime.date.today()
    # Its second applicant, scored by one reviewer and waiting on the other: the browser flow's reviewer
    # declares a conflict on it and scores the project lead's own application.
    other = m.Application.objects.get(call=open_call)
    assert other.municipality.kommunenummer == "1401" and other.status == "submitted"
    assert other.score is not None
    assert sorted(other.assignments.values_list("reviewer__username", "status")) == [
        ("fagvurderer", "assigned"),
        ("fagvurderer2", "submitted"),
    ]
    assert open_call.targets["target_small"] == 1 and open_call.targets["target_large"] == 0
    assert m.Call.objects.get(code="call-2017").status == "published"
    before: Any = AuditEvent.objects.count()
    build_demo(said.append)
    assert AuditEvent.objects.count() == before
    assert "left as it is" in said[-1]
