"""A project lead edits a draft application and it is saved as they type, without pressing save."""

import pytest

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

PLAN = "Oppstart april 2018; teamet møtes hver tirsdag."


def test_draft_autosaves_and_survives_a_reload(page, live_server, login, make_user, orgs):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from pht.apps.scheme import actions
    from pht.apps.scheme.calls import load_call

    call = load_call("call_2017")
    lead = make_user("prosjektleder", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"])
    application = actions.create_application(lead, call)
    assert application.status == "draft" and application.project_plan == ""

    login(page, "prosjektleder")
    edit_url = f"{live_server.url}/scheme/soknader/{application.pk}/endre/"
    page.goto(edit_url)
    status = page.locator("#autosave-status")
    expect(status).to_have_text("")

    # Edit a field and leave it (the change event): htmx posts the form as an autosave.
    with page.expect_response(
        lambda r: r.url == edit_url and r.request.method == "POST", timeout=10_000
    ) as answer:
        page.get_by_label("Prosjektplan").fill(PLAN)
        page.get_by_label("Budsjett (kr)").focus()
    response = answer.value
    assert response.status == 200
    assert "action=autosave" in (response.request.post_data or "")
    expect(status).to_have_text("Utkastet er lagret automatisk.")
    # No save button was pressed: the page did not navigate away from the form.
    assert page.url == edit_url
    application.refresh_from_db()
    assert application.project_plan == PLAN and application.status == "draft"

    # After a reload the value is still there, read back from the saved draft.
    page.reload()
    expect(page.get_by_label("Prosjektplan")).to_have_value(PLAN)
    expect(status).to_have_text("")
    page.goto(f"{live_server.url}/scheme/soknader/{application.pk}/")
    expect(page.get_by_text(PLAN)).to_be_visible()
