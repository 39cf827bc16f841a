"""Evaluation reports: the PDF's content, the task run once, failures and retries, downloads."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from pypdf import PdfReader

from agencies.models import DownloadRecord
from evaluations.models import Evaluation
from reports import services
from reports.models import Report
from reports.selectors import reports_visible_to
from reports.services import report_request, report_retry, report_run
from tests.paging import rows_past_the_count

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def pilot(demo):
    return Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)


@pytest.fixture
def french_report(pilot):
    return Report.objects.get(evaluation=pilot, language="fr")


def test_the_demo_report_is_rendered_and_its_text_has_title_accents_and_quotas(french_report):
    assert french_report.status == Report.Status.DONE
    content = french_report.file.read()
    assert content.startswith(b"%PDF")
    assert len(content) == french_report.size
    text = " ".join(pdf_text(content).split())
    assert "Évaluation de l’expérience pilote Togo–Mali 2017" in text
    assert "Visas et billets d’avion obtenus dans les dernières semaines" in text
    # The quota table as the seeds tell: 4 Togolese to Mali, 2 Malians to Togo, all places used.
    assert "ANVT → CNPV 4 4 0" in text
    assert "CNPV → ANVT 2 2 0" in text
    assert re.search(r"Pages? 2 / \d", text)  # page numbers in the footer


def test_it_renders_the_english_version(pilot):
    report = report_request(
        kind=Report.Kind.EVALUATION, evaluation=pilot, language="en", agreement=pilot.agreement
    )
    report_run(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    text = " ".join(pdf_text(report.file.read()).split())
    assert "Findings by axis" in text
    assert "Recommendations" in text
    assert "Relevance" in text


def test_delivering_the_same_task_twice_makes_one_file(pilot, settings):
    report = report_request(
        kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement
    )
    assert report_run(report.pk) is True
    assert report_run(report.pk) is False  # the second delivery finds it claimed
    report.refresh_from_db()
    assert report.attempts == 1
    files = list((settings.MEDIA_ROOT / "reports").iterdir())
    assert report.file.name.split("/")[-1] in [f.name for f in files]
    # the demo report and this one: one file each
    assert len(files) == Report.objects.filter(status=Report.Status.DONE).count()


def test_a_rendering_that_raises_leaves_it_failed_and_the_retry_succeeds(pilot, monkeypatch):
    report = report_request(
        kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement
    )

    def broken(report):
        raise RuntimeError("la police est introuvable")

    monkeypatch.setitem(services.BUILDERS, Report.Kind.EVALUATION, "tests.test_reports.BROKEN")
    monkeypatch.setattr("tests.test_reports.BROKEN", broken, raising=False)
    report_run(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "la police est introuvable" in report.error
    assert not report.file

    monkeypatch.undo()
    report_retry(report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
    report_run(report.pk)  # the task the retry enqueues (after commit)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.attempts == 2
    assert report.error == ""


def test_a_failed_report_shows_its_error_and_a_retry_button(pilot, login, client):
    report = report_request(
        kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement
    )
    Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, error="Boom")
    login("cnpv-officer")  # partners (read-only) may not retry: tests/test_report_retry.py
    response = client.get(reverse("reports:status", args=[report.pk]))
    assert b"Boom" in response.content
    assert reverse("reports:retry", args=[report.pk]).encode() in response.content
    response = client.post(reverse("reports:retry", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
    assert b"hx-get" in response.content  # polled until done


def test_a_queued_report_is_polled(pilot, login, client):
    report = report_request(
        kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement
    )
    login("cnpv-partner")
    response = client.get(reverse("reports:status", args=[report.pk]))
    assert b'hx-trigger="load delay:1s"' in response.content
    assert b"download" not in response.content


def test_an_agency_party_to_nothing_gets_404_on_the_report_and_its_download(
    french_report, login, client
):
    login("gip-pnvb-partner")
    for name in ["detail", "status", "download"]:
        assert client.get(reverse(f"reports:{name}", args=[french_report.pk])).status_code == 404
    assert french_report.filename.encode() not in client.get(reverse("reports:index")).content
    assert not DownloadRecord.objects.filter(username="gip-pnvb-partner").exists()


def test_the_partner_agency_downloads_the_report_and_the_download_is_recorded(
    french_report, login, client
):
    user = login("cnpv-partner")
    page = client.get(reverse("reports:index"))
    assert reverse("reports:download", args=[french_report.pk]).encode() in page.content
    response = client.get(reverse("reports:download", args=[french_report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert french_report.filename in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    download = DownloadRecord.objects.get(username="cnpv-partner")
    assert (download.object_id, download.user, download.username) == (
        french_report.pk,
        user,
        "cnpv-partner",
    )
    assert (download.agency.acronym, download.label) == ("CNPV", french_report.filename)


def test_report_files_have_no_public_url(french_report):
    assert french_report.file.name.startswith("reports/")
    assert "media" not in reverse("reports:download", args=[french_report.pk])


def test_a_draft_evaluations_report_stays_with_its_authors(pilot, login, client):
    from evaluations.services import evaluation_new_version

    draft = evaluation_new_version(evaluation=pilot, user=None)
    report = Report.objects.create(
        kind=Report.Kind.EVALUATION, evaluation=draft, agreement=draft.agreement
    )
    login("cnpv-manager")
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    login("anvt-officer")
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200


def queries_of(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_reports_page_makes_the_same_number_of_queries_whatever_the_rows(pilot, login, client):
    login("cnpv-partner")
    url = reverse("reports:index")
    client.get(url)
    few = queries_of(client, url)
    Report.objects.bulk_create(
        Report(kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement)
        for _ in range(40)
    )
    assert queries_of(client, url) == few


def test_every_kind_of_row_is_drawn_from_the_same_queries(pilot, login, client):
    """The list reads only the columns its rows show: rows about an agreement, an evaluation and
    an agency, requested by a person or not, done, failed or queued, cost no query more when
    there are twice as many, and show what they are about (the failure escaped)."""
    from agencies.models import Agency
    from tests.factories import UserFactory

    anvt = Agency.objects.get(acronym="ANVT")
    login("anvt-manager")
    url = reverse("reports:index")

    def rows():
        failed = Report.objects.create(
            kind=Report.Kind.QUOTA, agency=anvt, status=Report.Status.FAILED,
            requested_by=UserFactory(first_name="Afi", last_name="Mensah"),
            error="<b>Pango</b> absent",
        )  # fmt: skip
        queued = Report.objects.create(kind=Report.Kind.QUOTA, agreement=pilot.agreement)
        return failed, queued

    failed, queued = rows()
    html = client.get(url).content.decode()
    once = queries_of(client, url)
    rows()
    assert queries_of(client, url) == once <= 8  # session, user, roles, count, rows, relations
    assert User.objects.get(username="anvt-manager").has_perm("vir.retry_report", failed)
    assert "Afi Mensah" in html and "&lt;b&gt;Pango&lt;/b&gt; absent" in html
    assert f'action="{reverse("reports:retry", args=[failed.pk])}"' in html
    assert f'hx-get="{reverse("reports:status", args=[queued.pk])}"' in html
    assert f"{pilot.title} (v1)" in html and pilot.agreement.reference in html
    done = pilot.reports.get(language="fr")
    assert f'href="{reverse("reports:download", args=[done.pk])}"' in html


def test_the_rows_written_in_python_escape_every_value(pilot, login, client):
    """``report_rows`` writes the list's rows without the template engine: every value that
    comes from a user is escaped, whatever the kind of row."""
    from agencies.models import Agency
    from tests.factories import UserFactory

    anvt = Agency.objects.get(acronym="ANVT")
    agreement = pilot.agreement
    agreement.reference = "VIR<i>&2017"
    agreement.save(update_fields=["reference"])
    Evaluation.objects.filter(pk=pilot.pk).update(title="<script>alert(1)</script>")
    Report.objects.create(
        kind=Report.Kind.QUOTA, agency=anvt, status=Report.Status.QUEUED,
        requested_by=UserFactory(first_name="<b>Kodjo</b>", last_name="A&B"),
    )  # fmt: skip
    login("anvt-manager")
    html = client.get(reverse("reports:index")).content.decode()
    assert "VIR&lt;i&gt;&amp;2017 (ANVT ⇄ CNPV)" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (v1)" in html
    assert "&lt;b&gt;Kodjo&lt;/b&gt; A&amp;B" in html
    assert "<script>alert" not in html and "<b>Kodjo" not in html and "<i>&" not in html


def test_the_reports_page_counts_its_reports_and_numbers_its_pages(pilot, login, client):
    login("cnpv-partner")
    url = reverse("reports:index")
    visible = reports_visible_to(User.objects.get(username="cnpv-partner")).count()
    Report.objects.bulk_create(
        Report(kind=Report.Kind.EVALUATION, evaluation=pilot, agreement=pilot.agreement)
        for _ in range(100 - visible)
    )
    first = client.get(url)
    html = first.content.decode()
    assert len(first.context["page"].object_list) == 50
    assert "100 rapports" in html and "page=2" in html and "Page 1 sur 2" in html
    assert not first.context["next_position"]  # within the count: no page past it
    last = client.get(url, {"page": 2})
    html = last.content.decode()
    assert len(last.context["page"].object_list) == 50
    assert "page=1" in html and "page=3" not in html and "Page 2 sur 2" in html
    assert client.get(url, {"page": 9}).context["page"].number == 2
    assert client.get(url, {"page": "x"}).context["page"].number == 1


def _reports_to_page(monkeypatch):
    """Reports that an officer of ``mine`` may download (its agreements', its agency's), others
    it may not; requested at repeated instants (the id orders the ties); a count of 4 and pages
    of 2."""
    import datetime

    import reports.views
    from core.pagination import CappedPaginator
    from tests.factories import AgencyFactory, AgreementFactory, MembershipFactory

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    monkeypatch.setattr(reports.views, "PAGE_SIZE", 2)
    mine, partner, other = AgencyFactory(), AgencyFactory(), AgencyFactory()
    ours, theirs = AgreementFactory(party_a=partner, party_b=mine), AgreementFactory(party_a=other)
    scopes = [  # what each report is about
        {"agreement": ours}, {"agency": mine}, {"agreement": theirs}, {"agency": partner},
        {"agreement": ours}, {"agreement": ours, "format": "csv"}, {"agency": other},
        {"agency": mine}, {"agreement": ours}, {"agency": mine}, {"agreement": ours},
    ]  # fmt: skip
    made = [Report.objects.create(kind=Report.Kind.QUOTA, **scope) for scope in scopes]
    at = datetime.datetime(2024, 3, 1, 9, 30, 15, 250000, tzinfo=datetime.UTC)
    for i, report in enumerate(made):
        report.created_at = at + datetime.timedelta(minutes=i % 3)
        Report.objects.filter(pk=report.pk).update(created_at=report.created_at)
    officer = MembershipFactory(agency=mine, role="officer").user
    hidden = {made[2].pk, made[3].pk, made[6].pk}
    return officer, made, hidden


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_every_report_is_reached_past_the_count_in_the_lists_order(
    client, monkeypatch, admin_user, who
):
    """Newest first, then the newest id: past the counted pages, "next" goes on after the last
    report shown (a position holds its time to the microsecond), and reaches each report the
    user may download exactly once."""
    officer, made, hidden = _reports_to_page(monkeypatch)
    client.force_login(officer if who == "officer" else admin_user)
    visible = [r for r in made if who == "admin" or r.pk not in hidden]
    expected = [r.pk for r in sorted(visible, key=lambda r: (r.created_at, r.pk), reverse=True)]
    assert len(expected) == (11 if who == "admin" else 8)
    url = reverse("reports:index")
    rows = rows_past_the_count(
        client,
        url,
        counted_pages=2,  # 4 rows
        more="Plus de 4 rapports.",
        beyond="Rapports au-delà des premières pages",
    )
    seen = [r.pk for r in rows]
    assert seen == expected
    # A position edited by hand (not base64, [], ["x"], ["x", 1], ["2024-03-01", "x"], a time
    # and two ids) starts again from the first page.
    for broken in (
        "garbage", "W10", "WyJ4Il0", "WyJ4IiwxXQ", "WyIyMDI0LTAzLTAxIiwieCJd",
        "WyIyMDI0LTAzLTAxVDA5OjMwOjE1KzAwOjAwIiwxLDJd",
    ):  # fmt: skip
        assert client.get(url, {"after": broken}).context["page"].number == 1


def test_a_page_of_reports_past_the_count_shows_only_those_the_user_may_download(
    client, monkeypatch
):
    from core import keyset
    from reports.selectors import REPORT_ORDER

    officer, made, hidden = _reports_to_page(monkeypatch)
    client.force_login(officer)
    start = made[6]  # another agency's
    page = client.get(reverse("reports:index"), {"after": keyset.position_of(start, REPORT_ORDER)})
    shown = page.context["page"].object_list
    assert shown and not {r.pk for r in shown} & hidden
    assert all((r.created_at, r.pk) < (start.created_at, start.pk) for r in shown)


def test_a_page_of_reports_past_the_count_costs_the_queries_of_a_first_page(client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer, _, _ = _reports_to_page(monkeypatch)
    client.force_login(officer)
    url = reverse("reports:index")
    position = client.get(url, {"page": 2}).context["next_position"]
    counts = []
    for page in (url, f"{url}?after={position}"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts.append(sum("COUNT(" in q["sql"] for q in queries.captured_queries))
        # Session, memberships, the capped count, the page (one query more than a page's
        # rows: whether another follows), the agencies its rows name.
        assert len(queries) <= 5
    assert counts == [1, 0]  # past the count, no count


@pytest.mark.postgres
def test_the_administrators_report_list_reads_its_index_without_sorting(admin_user):
    """Newest first across every report, counted pages or past them: a range of
    ``report_newest`` read in its order."""
    import datetime

    from django.db import connection

    from core import keyset
    from reports.selectors import REPORT_ORDER, report_list

    with connection.cursor() as cursor:
        for setting in ("seqscan", "sort", "hashjoin", "mergejoin"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
    reports = report_list(user=admin_user)
    at = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.UTC)
    for page in (reports, reports.filter(keyset.after(REPORT_ORDER, [at, 10]))):
        plan = page[:51].explain()
        assert "report_newest" in plan and "Sort" not in plan, plan
    assert re.search(r"Index Cond: \(.*created_at <= ", plan), plan


@pytest.mark.parametrize("username", ["anvt-officer", "cnpv-manager", "cnpv-partner"])
def test_the_reports_list_counts_each_report_its_user_may_download_once(
    pilot, login, client, username
):
    """The count reads the reports in three parts (an agreement's, an agency's, a programme's,
    ``reports.selectors.report_count_rows``): every kind of scope, a programme's report about
    one of the user's agencies (within reach of two parts), another programme's, and a draft
    evaluation's report are counted as the list shows them."""
    import datetime

    from agencies.models import Agency
    from evaluations.services import evaluation_new_version
    from programmes.models import Programme, ProgrammeMember
    from reports.selectors import report_count_rows
    from tests.factories import AgencyFactory

    user = User.objects.get(username=username)
    mine = user.memberships.first().agency
    anvt, other = Agency.objects.get(acronym="ANVT"), AgencyFactory()
    dates = {"start_date": datetime.date(2024, 1, 1), "end_date": datetime.date(2026, 12, 31)}
    read = Programme.objects.create(name="Lu", lead_agency=anvt, funder="F", **dates)
    unread = Programme.objects.create(name="Pas lu", lead_agency=anvt, funder="F", **dates)
    ProgrammeMember.objects.create(programme=read, user=user, role="viewer")
    draft = evaluation_new_version(evaluation=pilot, user=None)
    quota, programme = Report.Kind.QUOTA, Report.Kind.PROGRAMME
    scopes = [
        {"kind": quota, "agreement": pilot.agreement},
        {"kind": quota, "agency": mine},
        {"kind": quota, "agency": other},
        {"kind": programme, "programme": read, "agency": mine},
        {"kind": programme, "programme": read, "agency": other},
        {"kind": programme, "programme": read},
        {"kind": programme, "programme": unread, "agency": other},
        {"kind": Report.Kind.EVALUATION, "evaluation": draft, "agreement": draft.agreement},
    ]
    for scope in scopes:
        Report.objects.create(**scope)
    visible = set(reports_visible_to(user).values_list("pk", flat=True))
    assert len(visible) >= 6  # the agreement's, the agency's, the three programme's, the pilot's
    counted = list(report_count_rows(user).values_list("pk", flat=True))
    assert sorted(counted) == sorted(visible)  # each once
    login(username)
    page = client.get(reverse("reports:index")).context["page"]
    assert page.paginator.count == len(visible)
