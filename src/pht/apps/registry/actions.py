"""Actions on the team roster: each checks permission, validates, writes with its audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event, snapshot
from pht.apps.accounts.models import User
from pht.apps.accounts.permissions import can_edit_roster
from pht.apps.registry.models import GP, Practice, Team, TeamMember


def save_team_member(
    actor: User, practice: Practice, data: dict[str, Any], member: TeamMember | None = None
) -> TeamMember:
    require(can_edit_roster(actor, practice))
    if member is not None and member.practice_id != practice.pk:
        raise ActionRefused(_("The team member belongs to another practice."))
    with transaction.atomic():
        before = snapshot(member) if member is not None else None
        member = member or TeamMember(practice=practice)
        for field in ("name", "role", "hpr", "fte"):
            if field in data:
                setattr(member, field, data[field])
        member.full_clean()
        member.save()
        record_event(actor, "registry.save_team_member", member, before=before, after=snapshot(member))
    return member


def remove_team_member(actor: User, member: TeamMember) -> None:
    require(can_edit_roster(actor, member.practice))
    with transaction.atomic():
        before = snapshot(member)
        record_event(actor, "registry.remove_team_member", member, before=before)
        member.delete()


def save_team(actor: User, practice: Practice, name: str, lead_gp: GP, members: list[TeamMember]) -> Team:
    require(can_edit_roster(actor, practice))
    if any(m.practice_id != practice.pk for m in members):
        raise ActionRefused(_("Every team member must work at the team's practice."))
    with transaction.atomic():
        team = Team.objects.filter(practice=practice, name=name).first() or Team(practice=practice, name=name)
        before = snapshot(team, ["name", "lead_gp"]) if team.pk else None
        team.lead_gp = lead_gp
        team.full_clean()
        team.save()
        team.members.set(members)
        record_event(actor, "registry.save_team", team, before=before, after=snapshot(team))
    return team
