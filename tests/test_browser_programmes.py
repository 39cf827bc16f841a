"""The main flow of a programme in a browser (issue 19): a local authority applies through the
public form, the programme's staff select and notify it, it chooses its operator by its link,
the operator creates a mission and counts it for the laureate, and the funder's dashboard
moves."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency, Theme
from programmes.models import Application, Call, Programme
from programmes.services import application_token
from tests.factories import approved_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_authority_applies_is_selected_chooses_its_operator_and_the_dashboard_moves(
    browser_page, browser_login, live_demo
):
    # A second phase of the demo's programme: an open call, and an agreement in force through
    # which France Volontaires hosts volunteers from Burkina Faso next year.
    programme = Programme.objects.get(name="Territoires Volontaires")
    year = timezone.localdate().year + 1
    Programme.objects.filter(pk=programme.pk).update(end_date=datetime.date(year, 12, 31))
    now = timezone.now()
    call = Call.objects.create(
        programme=programme, title="Appel complémentaire", slug="appel-complementaire",
        opens_at=now - datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=30),
        selection_date=timezone.localdate() + datetime.timedelta(days=40),
    )  # fmt: skip
    fv, pnvb = Agency.objects.get(acronym="FV"), Agency.objects.get(acronym="GIP-PNVB")
    agreement = approved_agreement(
        party_a=fv, party_b=pnvb, quotas=[(year, "ba", 3)],
        themes=[Theme.objects.get(code="global-citizenship")],
    )  # fmt: skip
    quota = agreement.quotas.get()
    live = live_demo.url

    # The authority applies, without an account.
    page = browser_page
    page.goto(live + reverse("programmes:apply", args=[call.slug]))
    form = page.get_by_test_id("application-form")
    form.locator("input[name=name]").fill("Commune de Plougastel-Daoulas")
    form.locator("select[name=level]").select_option("commune")
    form.locator("input[name=siren]").fill("212901784")
    form.locator("input[name=region]").fill("Bretagne")
    form.locator("input[name=contact_name]").fill("Maëlle Le Bris")
    form.locator("input[name=contact_email]").fill("maelle@plougastel.example.org")
    form.locator("input[name=first_time]").check()
    form.locator("input[name=hosting]").check()
    form.locator("input[name=countries]").fill("Burkina Faso")
    form.locator("input[name=missions_planned]").fill("2")
    form.get_by_role("button", name="Envoyer la candidature").click()
    expect(page.get_by_test_id("applied")).to_be_visible()
    application = Application.objects.get(call=call)

    # The programme's staff select it and notify the applicants.
    page = browser_login("fv-programme")
    page.goto(live + reverse("programmes:detail", args=[programme.pk]) + "?decision=pending")
    page.get_by_role("link", name="Commune de Plougastel-Daoulas").click()
    page.locator("select[name=decision]").select_option("laureate")
    page.locator("textarea[name=reason]").fill("Première collectivité bretonne du programme.")
    page.get_by_role("button", name="Enregistrer l’appréciation").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Lauréate")
    # Applicants may amend until the deadline: no notice before it.
    page.goto(live + reverse("programmes:detail", args=[programme.pk]))
    open_call = page.get_by_role("listitem").filter(has_text="Appel complémentaire")
    expect(open_call.get_by_test_id("notify-refusal")).to_contain_text(
        "notifiez après sa date limite"
    )
    expect(open_call.get_by_role("button", name="Notifier les candidates")).to_have_count(0)
    # The deadline passes.
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    page.goto(live + reverse("programmes:detail", args=[programme.pk]))
    page.get_by_role("listitem").filter(has_text="Appel complémentaire").get_by_role(
        "button", name="Notifier les candidates"
    ).click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("Candidates notifiées : 1.")).to_be_visible()

    # The laureate chooses France Volontaires by the link of its e-mail.
    page.context.clear_cookies()
    page.goto(live + reverse("programmes:amend", args=[application_token(application)]))
    page.locator("select[name=operator]").select_option(label="France Volontaires")
    page.get_by_role("button", name="Choisir cet opérateur").click()
    expect(page.get_by_test_id("chosen-operator")).to_contain_text("France Volontaires")

    # France Volontaires' officer creates a mission and counts it for the laureate.
    page = browser_login("fv-officer")
    page.goto(live + reverse("missions:create"))
    page.locator("select[name=quota]").select_option(str(quota.pk))
    nantes = fv.host_structures.get(name="Maison des solidarités de Nantes")
    page.locator("select[name=host_structure]").select_option(str(nantes.pk))
    page.locator("input[name=title]").fill("Volontariat accueilli à Plougastel")
    page.locator("select[name=theme]").select_option(
        str(Theme.objects.get(code="global-citizenship").pk)
    )
    page.locator("input[name=city]").fill("Plougastel-Daoulas")
    page.locator("input[name=start_date]").fill(f"{year}-03-01")
    page.locator("input[name=end_date]").fill(f"{year}-08-31")
    page.locator("input[name=places]").fill("1")
    page.locator("form").filter(has=page.locator("input[name=title]")).locator(
        "button[type=submit]"
    ).click()
    expect(page.get_by_role("heading", name="Volontariat accueilli à Plougastel")).to_be_visible()
    page.goto(live + reverse("programmes:application", args=[application.pk]))
    page.locator("select[name=mission]").select_option(label="Volontariat accueilli à Plougastel")
    page.locator("select[name=scheme]").select_option(label="Service Civique")
    page.get_by_role("button", name="Compter cette mission pour la lauréate").click()
    expect(page.get_by_test_id("laureate-missions")).to_contain_text("Volontariat accueilli")

    # The funder's dashboard counts the new laureate and its mission.
    page = browser_login("daect-viewer")
    page.goto(live + reverse("programmes:dashboard", args=[programme.pk]))
    expect(page.get_by_test_id("actual-missions")).to_have_text("25")
    expect(page.get_by_test_id("actual-authorities")).to_have_text("41")
    expect(page.get_by_test_id("year-country")).to_contain_text(str(year))
    expect(page.get_by_test_id("programme-chart")).to_be_visible()
