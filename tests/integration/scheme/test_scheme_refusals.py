"""Refused actions read in the page's language: the workflow rules' refusals (status steps, roles, four eyes)
through reasons.REFUSALS, the actions' other refusals through gettext at their raise site; bokmål on nb
pages, English on en pages and in the API (the scheme app's msgids are bokmål, with an en catalogue)."""

from __future__ import annotations

import datetime
import html
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from message_checks import check_gettext_literals_translated, check_templates_translated
from pht.apps.accounts.models import Role
from pht.apps.scheme import actions, reasons, workflows
from pht.apps.scheme import models as m
from pht.rules import workflow
from pht.rules.workflow import approvable_term, approvers_term, role_term

BEFORE = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))
ALL_FOURS = {"anchoring": 4, "readiness": 4, "target_groups": 4, "cooperation": 4, "evaluation_data": 4}
CATALOGUE = Path(reasons.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"
WORKFLOWS = (
    workflows.APPLICATION,
    workflows.REVIEW,
    workflows.GRANT,
    workflows.INSTALMENT,
    workflows.REPORT,
    workflows.CALL,
)


def test_the_refusal_templates_are_the_workflow_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.REFUSAL_TEMPLATES, workflow.TEMPLATES)
    terms = set().union(*(flow.vocabulary() for flow in WORKFLOWS))
    terms |= {role_term(role) for role in Role.values}
    terms |= {approvable_term("disbursement"), approvers_term("another finance officer")}
    terms |= {approvers_term("someone else")}
    for term in terms:
        assert (term.kind, term.key) in reasons.REFUSAL_TERMS, term
        with translation.override("en"):
            assert str(reasons.REFUSAL_TERMS[(term.kind, term.key)]) == term.text, term
    # The actions' other refusals: every gettext text at a raise site has its English.
    checked: set[str] = set()
    for module in Path(actions.__file__).parent.glob("*.py"):
        checked |= check_gettext_literals_translated(module, CATALOGUE)
    assert len(checked) >= 30


def test_a_refusal_the_catalogue_cannot_render_shows_its_english_reason() -> None:
    from pht.apps.accounts.actions import ActionRefused
    from pht.rules.explain import Message

    refused = ActionRefused("something the rules said", message=Message("no.such.id"))
    with translation.override("nb"):
        assert refused.display(reasons.REFUSALS) == "something the rules said"
        assert refused.display() == "something the rules said"
    lazy = ActionRefused(reasons.REFUSAL_TEMPLATES["workflow.roles.missing"], {"roles": "x"})
    assert lazy.reason == str(lazy) == "this needs one of the roles x"  # English for the API and logs
    with translation.override("nb"):
        assert lazy.display() == "dette krever en av rollene x"


def _message(page: str) -> str:
    """The page's error message (one)."""
    start = page.index('data-color="danger">') + len('data-color="danger">')
    return html.unescape(page[start : page.index("</div>", start)])


def _post(user: Any, url: str, data: dict[str, Any], language: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE=language)  # type: ignore[arg-type]
    return _message(response.content.decode())


def _instalments(world: dict[str, Any], full_data: Any) -> list[m.Instalment]:
    """Seljord's accepted grant: its instalments, the first prepared by finance1."""
    lead = world["lead_seljord"]
    application = actions.create_application(lead, world["call"], full_data(world["seljord_practices"]))
    actions.submit_application(lead, application, now=BEFORE)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    actions.declare_conflict(world["reviewer"], assignment, False)
    actions.submit_review(world["reviewer"], assignment, ALL_FOURS, {})
    run = actions.run_selection(world["officer"], world["call"], {"per_size_class": {"small": 1}})
    actions.decide_selection(world["officer"], run, "Seljord.")
    decision = m.GrantDecision.objects.get(application=application)
    actions.accept_decision(lead, decision, on=datetime.date(2018, 2, 1))
    instalments = list(decision.instalments.order_by("number"))
    actions.prepare_disbursement(world["finance1"], instalments[0])
    return instalments


@pytest.mark.django_db
def test_refused_payment_steps_read_in_the_pages_language(world: dict[str, Any], full_data: Any) -> None:
    first, second = _instalments(world, full_data)[:2]
    url = "/scheme/utbetalinger/"
    approve = {"instalment": first.pk, "step": "approve"}
    # Four eyes: the finance officer who prepared it may not approve it.
    assert _post(world["finance1"], url, approve, "nb") == (
        "du forberedte denne utbetalingen; en annen økonomimedarbeider må godkjenne den (fire øyne)"
    )
    assert _post(world["finance1"], url, approve, "en") == (
        "you prepared this disbursement; another finance officer must approve it (four eyes)"
    )
    # A role the step needs, with the statuses and roles named in the page's language.
    assert _post(world["officer"], url, approve, "nb") == (
        "utbetaling: «forberedt» → «godkjent» krever en av rollene økonomi; du har saksbehandler"
    )
    assert _post(world["officer"], url, approve, "en") == (
        "disbursement: 'prepared' -> 'approved' needs one of the roles finance_officer; you have case_officer"
    )
    # No such step: an instalment that is not prepared yet.
    planned = {"instalment": second.pk, "step": "approve"}
    assert _post(world["finance2"], url, planned, "nb") == (
        "utbetaling: ingen overgang fra «planlagt» til «godkjent»; fra «planlagt» kan den gå til forberedt"
    )
    assert _post(world["finance2"], url, planned, "en") == (
        "disbursement: no step from 'planned' to 'approved'; from 'planned' one may go to prepared"
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("prepared", "planned")


@pytest.mark.django_db
def test_refusals_without_a_rule_read_in_the_pages_language(
    world: dict[str, Any], full_data: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lead = world["lead_seljord"]
    application = actions.create_application(lead, world["call"], full_data(world["seljord_practices"]))
    url = f"/scheme/soknader/{application.pk}/vedlegg/"

    def upload(language: str) -> str:
        docx = SimpleUploadedFile("plan.docx", b"PK...")
        return _post(lead, url, {"title": "Plan", "file": docx}, language)

    assert upload("nb") == "vedlegg «plan.docx»: bare PDF-filer godtas"
    assert upload("en") == "attachment 'plan.docx': only PDF files are accepted"
    # Whole numbers in a refusal are grouped as the page's language writes them.
    world["call"].attachment_max_bytes = 10_000
    world["call"].save()
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"x" * 20_000)
    assert _post(lead, url, {"title": "Plan", "file": big}, "nb") == (
        "vedlegg «plan.pdf»: 20\xa0009 byte er over grensen på 10\xa0000 byte"
    )
    big.seek(0)
    assert _post(lead, url, {"title": "Plan", "file": big}, "en") == (
        "attachment 'plan.pdf': 20,009 bytes is over the limit of 10,000 bytes"
    )
    assert not application.attachments.exists()


def _refused_fields() -> set[tuple[str, str]]:
    """The (model, field) pairs the actions' boundary checks name in a refusal: bounded_text,
    bounded_decimal and label_of called with ``m.Model`` and the field's name."""
    import ast

    found: set[tuple[str, str]] = set()
    for module in Path(actions.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in {"bounded_text", "bounded_decimal", "label_of"} or len(node.args) < 3 - (
                node.func.id == "label_of"
            ):
                continue
            model, name = node.args[-2], node.args[-1]
            if isinstance(model, ast.Attribute) and isinstance(name, ast.Constant):
                if any(k.arg == "label" for k in node.keywords):
                    continue  # the call names its own label
                found.add((model.attr, name.value))
    return found


def test_a_field_a_refusal_names_reads_in_bokmal_on_a_bokmal_page() -> None:
    # The scheme's model labels are English msgids; a refusal naming one («population year: …») on a
    # bokmål page read English until the nb catalogue had them (and fields without a label had one).
    fields = _refused_fields()
    assert len(fields) >= 15, fields  # the scan finds them (calls that pass their own label are left out)
    for model_name, name in sorted(fields):
        label = getattr(m, model_name)._meta.get_field(name).verbose_name
        with translation.override("en"):
            english = str(label)
        with translation.override("nb"):
            bokmal = str(label)
        assert bokmal != english, (model_name, name, english)


def test_the_call_form_names_the_population_year_in_bokmal(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["officer"])
    today = datetime.date.today()
    response = client.post(
        "/scheme/utlysninger/ny/",
        {
            "code": "ny-utlysning",
            "title": "Ny utlysning",
            "announcement_date": today.isoformat(),
            "deadline_date": (today + datetime.timedelta(days=30)).isoformat(),
            "pilot_start": (today + datetime.timedelta(days=60)).isoformat(),
            "pilot_end": (today + datetime.timedelta(days=800)).isoformat(),
            "population_year": "2019",
        },
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    body = html.unescape(response.content.decode())
    assert "befolkningsår: PHT har ikke befolkningstall for 2019" in body.replace(
        "Befolkningsår", "befolkningsår"
    )
    assert "population year" not in body
