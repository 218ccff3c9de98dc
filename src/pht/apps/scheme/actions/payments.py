"""Disbursements: finance officers prepare an instalment, another finance officer approves it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import _audit, _transition
from pht.rules.workflow import check_four_eyes


def _locked(instalment: m.Instalment) -> m.Instalment:
    return m.Instalment.objects.select_for_update().select_related("decision").get(pk=instalment.pk)


def _refresh(instalment: m.Instalment, locked: m.Instalment) -> m.Instalment:
    for name in ("status", "prepared_by_id", "prepared_at", "approved_by_id", "approved_at"):
        setattr(instalment, name, getattr(locked, name))
    return instalment


def prepare_disbursement(user: Any, instalment: m.Instalment) -> m.Instalment:
    """A finance officer prepares the payment of a planned instalment of an accepted decision."""
    with transaction.atomic():
        locked = _locked(instalment)
        _transition(workflows.INSTALMENT, locked.status, "prepared", user)
        if locked.decision.status != m.GrantDecision.Status.ACCEPTED:
            raise ActionRefused(_("tilsagnet er ikke akseptert"))
        locked.status = m.Instalment.Status.PREPARED
        locked.prepared_by = user
        locked.prepared_at = timezone.now()
        locked.save(update_fields=["status", "prepared_by", "prepared_at"])
        _audit(
            user,
            "scheme.disbursement.prepare",
            locked.decision.application,
            {"status": "planned"},
            {
                "status": "prepared",
                "instalment": locked.number,
                "line": locked.line_id,
                "amount": locked.amount,
            },
        )
    return _refresh(instalment, locked)


def approve_disbursement(user: Any, instalment: m.Instalment) -> m.Instalment:
    """Another finance officer approves a prepared instalment (four eyes)."""
    with transaction.atomic():
        locked = _locked(instalment)
        _transition(workflows.INSTALMENT, locked.status, "approved", user)
        require(check_four_eyes("disbursement", user.pk, locked.prepared_by_id, "another finance officer"))
        locked.status = m.Instalment.Status.APPROVED
        locked.approved_by = user
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        _audit(
            user,
            "scheme.disbursement.approve",
            locked.decision.application,
            {"status": "prepared"},
            {
                "status": "approved",
                "instalment": locked.number,
                "line": locked.line_id,
                "amount": locked.amount,
            },
        )
    return _refresh(instalment, locked)
