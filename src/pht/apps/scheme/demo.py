"""Demo data of the scheme app, built by `pht demo` after the registry.

The 2017 call with 17 applications from real municipalities of all three size classes
(practices and GPs from the seeded registry), reviews, a selection run at the call's targets
and a relaxed one (nine units, as the real pilot took), the decision with its rationale, grant
decisions accepted with payment plans, some approved disbursements and some reports. Every
state change goes through ``actions``, so the audit log tells the demo's story too.
Running it again changes nothing once the call has applications.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import ROUND_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

OSLO = ZoneInfo("Europe/Oslo")
# kommunenummer -> financing models offered (per practice, in turn). The real pilot chose Seljord,
# Ørskog, Flora, Malvik, Kristiansand, Ringsaker, Eid, Rana, Oslo districts, Austevoll and Hå;
# the other applicants here are stand-ins (the real list of 17 was not published).
APPLICANTS: dict[str, tuple[str, ...]] = {
    "0828": ("fee", "capitation"),  # Seljord (small)
    "1523": ("fee",),  # Ørskog (small)
    "0834": ("capitation",),  # Vinje (small)
    "0941": ("fee",),  # Bykle (small)
    "0540": ("fee",),  # Sør-Aurdal (small)
    "1401": ("fee", "capitation"),  # Flora (medium)
    "1663": ("capitation",),  # Malvik (medium)
    "1443": ("fee",),  # Eid (medium)
    "1119": ("fee",),  # Hå (medium)
    "1244": ("capitation",),  # Austevoll (medium)
    "0437": ("fee",),  # Tynset (medium)
    "1001": ("fee", "capitation"),  # Kristiansand (large)
    "0412": ("fee",),  # Ringsaker (large)
    "1833": ("capitation", "fee"),  # Rana (large)
    "0301": ("fee",),  # Oslo (large; districts applied as units)
    "1502": ("fee",),  # Molde (large)
    "1247": ("capitation",),  # Askøy (large)
}
REALLY_CHOSEN = {"0828", "1523", "1401", "1663", "1001", "0412", "1443", "1833", "0301", "1244", "1119"}
MAX_GPS_PER_APPLICATION = 14
SHORT_OF_NURSES = "0540"  # one applicant misses the nurse norm, to show a failed verdict
RELAXED = {
    "per_size_class": {"small": 2, "medium": 3, "large": 4},
    "gps_min": 60,
    "gps_max": 110,
    "min_per_model": {"fee": 1, "capitation": 1},
    "max_per_county": 2,
}


def _user(username: str, name: str, roles: list[str], organisation: Any) -> Any:
    from pht.apps.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        first, _, last = name.partition(" ")
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.pht.invalid",
            roles=roles,
            organisation=organisation,
        )
        user.set_unusable_password()  # demo actors only: they act in the story, nobody logs in as them
        user.save()
    return user


def _lead_for(municipality: Any) -> Any:
    from pht.apps.accounts.models import Organisation, OrganisationKind, User

    organisation, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.MUNICIPALITY,
        municipality=municipality,
        defaults={"name": f"{municipality.name} kommune"},
    )
    if municipality.kommunenummer == "0828":
        existing = User.objects.filter(username="prosjektleder").first()
        if existing is not None:
            return existing
    return _user(
        f"leder-{municipality.kommunenummer}",
        f"Prosjektleder {municipality.name}",
        ["project_lead"],
        organisation,
    )


def _application_data(municipality: Any, models: tuple[str, ...]) -> Any:
    from pht.apps.registry.models import Practice
    from pht.apps.scheme import actions

    practices: list[tuple[Any, int]] = []
    total = 0
    for practice in Practice.objects.filter(municipality=municipality).order_by("orgnr"):
        gps = practice.gps.count()
        if practices and total + gps > MAX_GPS_PER_APPLICATION:
            continue
        practices.append((practice, gps))
        total += gps
        if total >= MAX_GPS_PER_APPLICATION - 2:
            break
    inputs = []
    for index, (practice, gps) in enumerate(practices):
        nurse = (Decimal(gps) / 3).quantize(Decimal("0.1"), rounding=ROUND_UP)
        if municipality.kommunenummer == SHORT_OF_NURSES:
            nurse = Decimal("0.2")
        inputs.append(
            actions.PracticeInput(
                practice_id=practice.pk,
                financing_model=models[index % len(models)],
                team_lead_id=practice.gps.order_by("hpr").values_list("pk", flat=True).first(),
                nurse_fte=max(nurse, Decimal("0.4"))
                if municipality.kommunenummer != SHORT_OF_NURSES
                else nurse,
                secretary_fte=Decimal("0.5"),
            )
        )
    return actions.ApplicationInputData(
        contact_name=f"Prosjektleder {municipality.name}",
        contact_email=f"post@{municipality.kommunenummer}.kommune.invalid",
        leadership_plan=f"Kommunalsjef for helse i {municipality.name} leder styringsgruppen; fastlegene er representert.",
        project_plan="Oppstart 1. april 2018 med rekruttering av sykepleiere; målgruppene kartlegges første halvår.",
        budget=Decimal(400_000 + 300_000 * total),
        practices=inputs,
    )


def build_demo(say: Callable[[str], None]) -> None:
    """Create this app's demo data (idempotent)."""
    from django.test.utils import override_settings

    # The story sends a few hundred notifications; nobody should receive them.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _build(say)
        _open_call(say)


OPEN_CALL_CODE = "utlysning-nye-legekontor"
# The open call's second applicant (Flora, medium, chosen in 2017), already submitted and scored by one
# reviewer, so the other demo reviewer has two applications to the call: one to declare a conflict on
# (Flora) and the project lead's own to score.
OPEN_CALL_OTHER_APPLICANT = "1401"
# Targets that fit an extension call, where a few municipalities add practices (the 2017 call's six
# municipalities and 70-90 GPs are infeasible here): one small and one medium, fee model offered.
OPEN_CALL_TARGETS = {
    "target_small": 1,
    "target_medium": 1,
    "target_large": 0,
    "target_gps": 12,
    "gps_min": 2,
    "gps_max": 30,
    "min_per_model_fee": 1,
    "min_per_model_capitation": 0,
}


def open_call_dates(today: datetime.date) -> dict[str, datetime.date]:
    """The open demo call's dates, from the day the demo is built: announced today, deadline in 30
    days, the new practices start on the first of the month two months after the deadline, for two years
    (as the 2020 joiners' stretch to the extended end; the real dates have long passed)."""
    deadline = today + datetime.timedelta(days=30)
    month = deadline.month + 2
    start = datetime.date(deadline.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    end = datetime.date(start.year + 2, start.month, 1) - datetime.timedelta(days=1)
    return {"announcement_date": today, "deadline_date": deadline, "pilot_start": start, "pilot_end": end}


def _open_call(say: Callable[[str], None], today: datetime.date | None = None) -> None:
    """An open call with a deadline after today, modelled on the 2020 extension for new practices in
    participating municipalities (RULES.md §1), so a project lead can apply without touching a clock."""
    from pht.apps.accounts.models import User
    from pht.apps.scheme import actions
    from pht.apps.scheme import models as m

    existing = m.Call.objects.filter(code=OPEN_CALL_CODE).first()
    if existing is not None:
        say(f"Scheme: the open call ({existing.get_status_display()}) already exists; left as it is.")
        return
    source = m.Call.objects.filter(code="call-2017").first()
    officer = User.objects.filter(username="saksbehandler").first()
    if source is None or officer is None:
        say("Scheme: no 2017 call or case officer; no open call.")
        return
    from django.utils import timezone

    dates = open_call_dates(today or timezone.localdate())
    title = "Utlysning: nye legekontor i deltakende kommuner"
    with transaction.atomic():
        call = actions.copy_call(officer, source, OPEN_CALL_CODE, title)
        actions.update_call(
            officer,
            call,
            actions.CallInput(
                code=OPEN_CALL_CODE,
                title=title,
                description=(
                    "Som utvidelsen i 2020, da fire nye legekontor kom med: kommuner som deltar i piloten, "
                    "kan søke om å ta med flere legekontor. Alle fastlegene ved et legekontor må delta. "
                    "Demo: datoene er satt ut fra dagen demoen ble bygget, slik at utlysningen er åpen."
                ),
                internal_note="Demo: kopiert fra 2017-utlysningen; befolkningstall fra 1. januar 2017.",
                population_year=2017,
                announcement_date=dates["announcement_date"],
                deadline_date=dates["deadline_date"],
                pilot_start=dates["pilot_start"],
                pilot_end=dates["pilot_end"],
                targets=dict(OPEN_CALL_TARGETS),
            ),
        )
        actions.publish_call(officer, call)
        other = _open_call_application(officer, call)
    say(f"Scheme: open call «{title}» published, deadline {dates['deadline_date']:%d.%m.%Y}.")
    if other is not None:
        say(
            f"Scheme: {other.municipality.name} applied to the open call; scored by one reviewer, the other one to decide."
        )


def _open_call_application(officer: Any, call: Any) -> Any:
    """A second, submitted application to the open call: scored by fagvurderer2, assigned to fagvurderer
    (who has not yet declared a conflict or not). Skipped where the demo registry or reviewers are absent."""
    from pht.apps.accounts.models import User
    from pht.apps.registry.models import Municipality
    from pht.apps.scheme import actions

    municipality = Municipality.objects.filter(kommunenummer=OPEN_CALL_OTHER_APPLICANT).first()
    scorer = User.objects.filter(username="fagvurderer2").first()
    undecided = User.objects.filter(username="fagvurderer").first()
    if municipality is None or scorer is None or undecided is None or not municipality.practices.exists():
        return None
    lead = _lead_for(municipality)
    data = _application_data(municipality, APPLICANTS[OPEN_CALL_OTHER_APPLICANT])
    data.project_plan = (
        "Flere legekontor i Flora tar i bruk teammodellen; oppstart når tilsagnet er akseptert."
    )
    application = actions.create_application(lead, call, data)
    actions.submit_application(lead, application)
    assignment = actions.assign_reviewer(officer, application, scorer)
    actions.declare_conflict(scorer, assignment, False)
    actions.submit_review(scorer, assignment, {c["key"]: 4 for c in call.criteria}, {})
    actions.assign_reviewer(officer, application, undecided)
    return application


def _build(say: Callable[[str], None]) -> None:
    from pht.apps.accounts.models import Organisation, OrganisationKind, User
    from pht.apps.registry.models import Municipality
    from pht.apps.scheme import actions
    from pht.apps.scheme import models as m
    from pht.apps.scheme.calls import load_call

    call = load_call("call_2017")
    if call.applications.exists():
        say("Scheme: the 2017 call already has applications; left as it is.")
        return
    directorate, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet"
    )
    officer = User.objects.filter(username="saksbehandler").first() or _user(
        "saksbehandler", "Sara Saksbehandler", ["case_officer"], directorate
    )
    reviewers = [
        User.objects.filter(username="fagvurderer").first()
        or _user("fagvurderer", "Frode Fagvurderer", ["reviewer"], directorate),
        _user("fagvurderer2", "Grete Fagvurderer", ["reviewer"], directorate),
    ]
    finance = [
        User.objects.filter(username="okonomi").first()
        or _user("okonomi", "Øyvind Økonomi", ["finance_officer"], directorate),
        _user("okonomi2", "Åse Økonomi", ["finance_officer"], directorate),
    ]
    rng = random.Random(2017)
    with transaction.atomic():
        applications = []
        for day, (number, models) in enumerate(APPLICANTS.items()):
            municipality = Municipality.objects.get(kommunenummer=number)
            lead = _lead_for(municipality)
            application = actions.create_application(lead, call, _application_data(municipality, models))
            submitted = datetime.datetime(2017, 10, 1 + day % 14, 9 + day % 8, 15, tzinfo=OSLO)
            actions.submit_application(lead, application, now=submitted)
            applications.append(application)
        say(f"Scheme: 2017 call with {len(applications)} submitted applications.")

        for application in applications:
            # Scores lean towards the municipalities the real pilot chose, so the demo's story resembles it.
            chosen = application.municipality.kommunenummer in REALLY_CHOSEN
            base = rng.uniform(3.5, 4.6) if chosen else rng.uniform(2.3, 3.8)
            for position, reviewer in enumerate(reviewers):
                assignment = actions.assign_reviewer(officer, application, reviewer)
                if position == 1 and application.municipality.kommunenummer == "1502":
                    actions.declare_conflict(reviewer, assignment, True, "Tidligere ansatt i Molde kommune.")
                    continue
                actions.declare_conflict(reviewer, assignment, False)
                scores = {
                    c["key"]: max(1, min(5, round(base + rng.uniform(-1.2, 1.2)))) for c in call.criteria
                }
                actions.submit_review(reviewer, assignment, scores, {"readiness": "Godt beskrevet teamplan."})
        say("Scheme: two reviews per application (one reviewer declared a conflict for Molde).")

        first = actions.run_selection(officer, call, note="Utlysningens mål: 2 små, 2 mellomstore, 2 store.")
        relaxed = actions.run_selection(
            officer,
            call,
            RELAXED,
            locked_in=["0828"],
            note="Lempet: ni enheter som i den faktiske piloten, høyst to per fylke; Seljord låst inn.",
        )
        say(
            f"Scheme: selection at the call's targets: {first.result['status']}; relaxed: {relaxed.result['status']}."
        )
        run = relaxed if relaxed.result["status"] == "optimal" else first
        if run.result["status"] != "optimal":
            say("Scheme: no feasible selection; stopping before decisions.")
            return
        actions.decide_selection(
            officer,
            run,
            "Direktoratet valgte ni enheter (som i den faktiske piloten) for å få med begge "
            "finansieringsmodeller og geografisk spredning; høyeste samlede faglige vurdering.",
        )
        decisions = list(m.GrantDecision.objects.filter(application__call=call).select_related("application"))
        for decision in decisions:
            lead = _lead_for(decision.application.municipality)
            actions.accept_decision(lead, decision, on=datetime.date(2018, 2, 1))
        say(f"Scheme: {len(decisions)} grant decisions accepted with payment plans.")

        for decision in decisions[:5]:
            for instalment in decision.instalments.filter(due__lte=datetime.date(2018, 7, 1)):
                actions.prepare_disbursement(finance[0], instalment)
                actions.approve_disbursement(finance[1], instalment)
        for decision in decisions[:3]:
            report = decision.reports.get(year=2018, line__kind="municipality")
            granted = actions.paid_for(report)
            actions.submit_report(
                _lead_for(decision.application.municipality),
                report,
                "Teamene er etablert; sykepleiere rekruttert; oppfølgingsplaner tatt i bruk.",
                (granted * Decimal("0.9")).quantize(Decimal("0.01")),
            )
        if decisions:
            report = decisions[0].reports.get(year=2018, line__kind="municipality")
            unspent = actions.unspent(report)
            if unspent and unspent > 0:
                actions.record_clawback(officer, report, unspent, "Ubrukte midler for 2018 kreves tilbake.")
        say("Scheme: first instalments approved for five municipalities, three 2018 reports, one clawback.")
        # Work left half done, so the finance officers' start page has a disbursement under the four-eyes
        # rule: prepared by the second finance officer, waiting for the first one's approval.
        waiting = (
            m.Instalment.objects.filter(decision__in=decisions, status=m.Instalment.Status.PLANNED)
            .order_by("due", "decision_id", "line_id", "number")
            .first()
        )
        if waiting is not None:
            actions.prepare_disbursement(finance[1], waiting)
            say(f"Scheme: one instalment prepared by {finance[1].username}, waiting for a second approver.")
