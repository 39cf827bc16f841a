"""A download's file name keeps an agreement reference with "/" readable: "VIR/TG/2017" is
offered as "VIR-TG-2017", not cut to its last part by the browser nor slugified to
"virtg2017"."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.files import download_name
from evaluations import reports as evaluation_reports
from exchanges import quota_report
from exchanges.models import Agreement
from reports.models import Report


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("VIR/TG/2017.pdf", "VIR-TG-2017.pdf"),
        ("quotas-VIR/TG/2017-2026-12-01.csv", "quotas-VIR-TG-2017-2026-12-01.csv"),
        ('a\\b:c*d?e"f<g>h|i\r\nj.pdf', "a-b-c-d-e-f-g-h-i-j.pdf"),
        ("VIR // TG.pdf", "VIR - TG.pdf"),
        ("Échange Lomé–Bamako.pdf", "Échange Lomé–Bamako.pdf"),
        ("../../etc/passwd", "etc-passwd"),
        ("///", "download"),
    ],
)
def test_download_name(name, expected):
    assert download_name(name) == expected


@pytest.fixture
def slashed(demo):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    Agreement.objects.filter(pk=agreement.pk).update(reference="VIR/TG/2017")
    agreement.refresh_from_db()
    return agreement


def test_the_signed_agreement_is_offered_under_its_reference(slashed, client, login):
    slashed.document.save("scan.pdf", ContentFile(b"%PDF-1.4 signed"), save=True)
    login("cnpv-partner")
    response = client.get(reverse("exchanges:document", args=[slashed.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="VIR-TG-2017.pdf"'


def test_the_report_builders_name_their_files_after_the_reference(slashed):
    quota = Report(kind=Report.Kind.QUOTA, format="csv", language="fr", agreement=slashed)
    _, name = quota_report.build(quota)
    assert name.startswith("quotas-VIR-TG-2017-") and name.endswith(".csv")
    evaluation = Report.objects.get(evaluation__agreement=slashed, language="fr")
    _, name = evaluation_reports.build(evaluation)
    assert name == "evaluation-VIR-TG-2017-2017-v1-fr.pdf"


def test_a_report_recorded_with_a_slash_in_its_name_downloads_readably(slashed, client, login):
    report = Report.objects.get(evaluation__agreement=slashed, language="fr")
    Report.objects.filter(pk=report.pk).update(filename="evaluation-VIR/TG/2017-v1-fr.pdf")
    login("anvt-officer")
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="evaluation-VIR-TG-2017-v1-fr.pdf"'
    )
