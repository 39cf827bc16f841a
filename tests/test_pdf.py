import io

import pytest
from pypdf import PdfReader

from reports.charts import Series, grouped_bars, horizontal_bars
from reports.pdf import FetchRefused, local_url_fetcher, render_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_it_renders_real_text_with_accents():
    pdf = render_pdf("<h1>Évaluation à Lomé</h1><p>Réciprocité : ça marche, Ouédraogo.</p>")
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "Évaluation à Lomé" in text
    assert "Ouédraogo" in text


@pytest.mark.parametrize(
    "url",
    ["http://example.org/x.png", "https://127.0.0.1/secret", "file:///etc/passwd", "ftp://x/y"],
)
def test_the_fetcher_refuses_the_network_and_other_files(url):
    with pytest.raises(FetchRefused):
        local_url_fetcher(url)


@pytest.mark.parametrize(
    "tail",
    [
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "css/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    ],
)
def test_the_fetcher_decodes_the_url_before_checking_the_folder(settings, tail):
    """``static/%2e%2e/…`` resolves inside static/ if read undecoded, but the fetcher decodes
    it into ``static/../…``: the check must see what the fetcher will read."""
    static_uri = settings.STATICFILES_DIRS[0].resolve().as_uri()
    with pytest.raises(FetchRefused):
        local_url_fetcher(f"{static_uri}/{tail}")


def test_the_fetcher_reads_a_percent_encoded_static_file(settings):
    static_uri = settings.STATICFILES_DIRS[0].resolve().as_uri()
    result = local_url_fetcher(f"{static_uri}/css/reciprocity%2Ecss")
    expected = (settings.STATICFILES_DIRS[0] / "css" / "reciprocity.css").read_bytes()
    with result["file_obj"] as handle:
        assert handle.read() == expected


def test_a_report_with_a_remote_image_still_renders_without_fetching_it(caplog):
    pdf = render_pdf('<p>Texte</p><img src="http://example.org/tracker.png">')
    assert "Texte" in _text(pdf)
    assert "refused to fetch" in caplog.text and "tracker.png" in caplog.text


def test_the_fetcher_allows_data_uris_and_static_files(settings):
    assert local_url_fetcher("data:text/plain,ok")["file_obj"].read() == b"ok"
    static = settings.STATICFILES_DIRS[0] / "css" / "reciprocity.css"
    result = local_url_fetcher(static.as_uri())
    assert result is not None


def test_charts_are_svg_with_escaped_labels():
    svg = horizontal_bars([("Pertinence <&>", 4), ("Impact", None)], maximum=5)
    assert svg.startswith("<svg") and "Pertinence &lt;&amp;&gt;" in svg and "–" in svg
    svg = grouped_bars(["2017", "2018"], [Series("Envoyés", [4, 1]), Series("Accueillis", [2, 0])])
    assert svg.count("<rect") >= 5 and "Envoyés: 4" in svg
