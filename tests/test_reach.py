"""Reach without a browser (issue 22): compressed HTML, the favicon, the chart's text
alternative and data table, labelled date fields."""

import gzip

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.charts import Series, grouped_bars, horizontal_bars

pytestmark = pytest.mark.django_db


def test_html_is_compressed_for_a_browser_that_accepts_it(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<html" in gzip.decompress(response.content)
    assert "Content-Encoding" not in client.get(reverse("login"))


def test_every_page_names_its_favicon(client):
    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    error = client.get("/no-such-page/").content.decode()
    assert 'rel="icon"' in error


def test_charts_carry_a_text_alternative():
    svg = grouped_bars(["CNPV 2017"], [Series("Envoyés", [4])], title="Volontaires <&>")
    assert 'role="img" aria-label="Volontaires &lt;&amp;&gt;"' in svg
    assert "<title>Volontaires &lt;&amp;&gt;</title>" in svg.split("<line")[0]
    assert 'aria-label="Notes"' in horizontal_bars([("Impact", 4)], maximum=5, title="Notes")


def test_the_home_chart_has_its_data_as_a_table(client, demo):
    client.force_login(get_user_model().objects.get(username="anvt-manager"))
    page = client.get(reverse("home_exchanges")).content.decode()
    chart = page.split('data-testid="exchange-chart"')[1].split("</svg>")[0]
    assert 'role="img" aria-label="Volontaires envoyés et accueillis' in chart
    table = page.split('data-testid="exchange-chart-data"')[1].split("</table>")[0]
    assert "<summary>Les données du graphique en tableau</summary>" in table
    assert '<th scope="row">CNPV 2017</th>' in table
