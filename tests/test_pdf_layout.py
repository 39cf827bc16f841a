"""Every PDF fits its pages (issue 18, point 1): each column header and each figure of the
demo's ANVT–CNPV 2017 row is in the extracted text, and every word is drawn inside the page
box (WeasyPrint draws what overflows the page beyond it, where pypdf still extracts it: the text
alone would not show the clipping)."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import pytest
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from agencies.models import Agency
from evaluations.models import Axis, Evaluation, Finding, Score
from evaluations.reports import render_evaluation_html
from exchanges.models import Agreement
from exchanges.quota_report import Scope, build_quota_report, column_labels, render_html
from reports.pdf import render_pdf

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Run:
    """One run of text as drawn (a ``TJ``/``Tj`` operator: WeasyPrint draws each line of each
    cell with its own), in PDF points from the page's bottom-left corner."""

    x: float
    y: float
    end: float  # where it ends: its glyphs' advances at its font size
    page: int
    width: float  # the page's
    height: float
    bold: bool = False  # set in DejaVu Sans Bold (a table's header, a heading)


def _widths(font) -> tuple[dict[int, float], float]:
    """A CID font's glyph advances (``/W`` of its descendant font, thousandths of an em)."""
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    table = list(descendant.get("/W", []))
    i = 0
    while i < len(table):
        first, second = int(table[i]), table[i + 1].get_object()
        if isinstance(second, list):  # c [w1 w2 …]
            widths.update({first + k: float(w) for k, w in enumerate(second)})
            i += 2
        else:  # c_first c_last w
            widths.update({c: float(table[i + 2]) for c in range(first, int(second) + 1)})
            i += 3
    return widths, float(descendant.get("/DW", 1000))


def runs(pdf: bytes) -> list[Run]:
    """Every run of text of every page with its extent (pypdf's operator visitor: the text
    matrix in the current transformation; the advance from the embedded font's widths, fonts
    being two-byte CID fonts as WeasyPrint embeds them)."""
    found: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        fonts = page["/Resources"]["/Font"]
        state: dict = {}  # the font and size set by the last Tf (one page at a time)

        def visit(
            op, args, cm, tm, number=number, width=width, height=height, fonts=fonts, state=state
        ):
            if op == b"Tf":
                state["widths"], state["default"] = _widths(fonts[args[0]].get_object())
                state["size"] = float(args[1])
                state["bold"] = "Bold" in str(fonts[args[0]].get_object()["/BaseFont"])
            if op not in (b"TJ", b"Tj"):
                return
            widths, default = state["widths"], state["default"]
            advance = 0.0  # thousandths of an em
            for part in args[0] if op == b"TJ" else [args[0]]:
                if isinstance(part, bytes):
                    cids = [int.from_bytes(part[k : k + 2], "big") for k in range(0, len(part), 2)]
                    advance += sum(widths.get(cid, default) for cid in cids)
                else:
                    advance -= float(part)  # a TJ adjustment moves the next glyph back
            scale = abs(cm[0])
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            end = x + advance / 1000 * state["size"] * scale
            found.append(Run(x, y, end, number, width, height, state["bold"]))

        page.extract_text(visitor_operand_before=visit)
    return found


def flat(pdf: bytes) -> str:
    """The text of every page, its white space (line breaks inside cells) made single spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def assert_inside_the_page(pdf: bytes) -> list[Run]:
    found = runs(pdf)
    assert found
    outside = [r for r in found if not (r.x >= 0 and r.end <= r.width and 0 <= r.y <= r.height)]
    assert not outside, f"drawn outside the page: {outside[:5]}"
    return found


def _quota_pdf(scope: Scope, language: str) -> bytes:
    return render_pdf(render_html(build_quota_report(scope=scope, title="t"), language=language))


def _scopes():
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    anvt = Agency.objects.get(acronym="ANVT")
    return {
        "agreement": Scope(agreement_id=agreement.pk),
        "agency": Scope(agency_id=anvt.pk),
        "all": Scope(),
    }


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("scope", ["agreement", "agency", "all"])
def test_the_quota_report_shows_every_column_and_the_2017_row_inside_the_page(
    demo, scope, language
):
    pdf = _quota_pdf(_scopes()[scope], language)
    text = flat(pdf)
    with translation.override(language):
        headers = column_labels()
    for header in headers:
        assert header in text, header
    # The ANVT–CNPV 2017 row, as the seeds tell: 4 places / 4 finished, 2 / 2 the other way
    # (the reference may wrap inside its cell: "VIR-TG- ML-2017").
    assert "ML-2017 2017 ANVT CNPV 4 0 0 0 0 4 0 0 100 %" in text
    assert "ML-2017 2017 CNPV ANVT 2 0 0 0 0 2 0 0 100 %" in text
    found = assert_inside_the_page(pdf)
    # The last column (the rate, header and figures) is drawn, and inside the page.
    rightmost = max(found, key=lambda r: r.x)
    assert rightmost.x > rightmost.width * 0.8
    assert rightmost.end <= rightmost.width


def bold_lines(pdf: bytes) -> list[list[str]]:
    """The words of each line of bold text (a table's header cell, a heading), as extracted:
    a word broken across two lines of its cell comes out as two pieces on two lines."""
    lines: list[list[str]] = []

    def visit(text, cm, tm, font, size):
        if font and "Bold" in str(font.get("/BaseFont")):
            lines.extend(line.split() for line in text.splitlines() if line.strip())

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return lines


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_quota_report_headers_keep_their_words_whole_and_apart(demo, language):
    """Walk 7, finding 1: the Spanish headers were broken inside their words
    ("Confirmad|os", "Completad|os") where a word ran past its column. Each word of each
    header is drawn whole on one line, and the header cells of one line do not overlap."""
    pdf = _quota_pdf(_scopes()["all"], language)
    words_on_lines = {word for line in bold_lines(pdf) for word in line}
    with translation.override(language):
        headers = column_labels()
    for header in headers:
        for word in header.split():
            assert word in words_on_lines, (word, sorted(words_on_lines))
    found = assert_inside_the_page(pdf)
    by_line: dict[tuple[int, float], list[Run]] = {}
    for r in found:
        if r.bold:
            by_line.setdefault((r.page, round(r.y, 1)), []).append(r)
    for line in by_line.values():
        line.sort(key=lambda r: r.x)
        for left, right in itertools.pairwise(line):
            assert left.end <= right.x, (left, right)


def test_the_quota_report_table_repeats_its_header_on_each_page(demo, monkeypatch):
    """A long table (many agreements) carries its header on every page it spans."""
    report = build_quota_report(scope=_scopes()["all"], title="t")
    report.rows = report.rows * 30  # a few pages of rows
    monkeypatch.setattr("exchanges.quota_report.PDF_ROWS", len(report.rows))
    pdf = render_pdf(render_html(report, language="en"))
    pages = PdfReader(io.BytesIO(pdf)).pages
    with_rows = [p for p in pages if "VIR-TG-" in p.extract_text()]
    assert len(with_rows) >= 3
    assert all("Use rate" in p.extract_text() for p in with_rows)
    assert_inside_the_page(pdf)


def test_a_long_agency_name_wraps_inside_its_cell(demo):
    agreement = Agreement.objects.get(reference="VIR-TG-ML-2017")
    Agency.objects.filter(acronym="ANVT").update(
        acronym="ANVT" + "X" * 25
    )  # 29 characters: four times its column
    pdf = _quota_pdf(Scope(agreement_id=agreement.pk), "fr")
    assert "100 %" in flat(pdf)
    assert_inside_the_page(pdf)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_evaluation_report_shows_its_quotas_inside_the_page(demo, language):
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    pdf = render_pdf(render_evaluation_html(pilot, language))
    text = flat(pdf)
    with translation.override(language):
        headers = [translation.gettext(h) for h in ("Direction", "Places", "Used", "Remaining")]
    for header in headers:
        assert header in text, header
    assert "ANVT → CNPV 4 4 0" in text
    assert "CNPV → ANVT 2 2 0" in text
    assert_inside_the_page(pdf)


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_recommendations_keep_their_words_whole_in_the_axis_order(demo, language):
    """A column of the recommendations table is as wide as its colgroup says: an axis, an
    owner and a due date are not split inside a word (a table laid out by its content, with
    words breakable anywhere, made each column one letter wide: "Parten ariat")."""
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    recommendations = [
        f for f in pilot.findings.select_related("owner") if f.kind == Finding.Kind.RECOMMENDATION
    ]
    assert len(recommendations) >= 3
    pdf = render_pdf(render_evaluation_html(pilot, language))
    text = flat(pdf)
    with translation.override(language):
        axes = [str(f.get_axis_display()) for f in recommendations]
        dates = [date_format(f.due_date, "SHORT_DATE_FORMAT") for f in recommendations]
        table = text[text.index(translation.gettext("Recommendation")) :]
    for word in [*axes, *dates, *(f.owner.acronym for f in recommendations)]:
        assert word in table, word
    # In the order of the axes, as the findings by axis above the table (one recommendation
    # per axis in the demo; the model orders them by the axis's code).
    assert len(set(axes)) == len(axes)
    with translation.override(language):
        in_order = [str(axis.label) for axis in Axis if axis.label in axes]
    positions = [table.index(label) for label in in_order]
    assert positions == sorted(positions)
    assert_inside_the_page(pdf)


def test_long_texts_and_long_words_stay_inside_the_page(demo):
    """The longest texts the forms take: a title of one unbroken word, a recommendation and a
    score comment of the longest length, each drawn inside the page."""
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    Evaluation.objects.filter(pk=pilot.pk).update(
        title="Évaluation" + "X" * 190, visit_place="Y" * 100
    )
    longest = Finding._meta.get_field("text").max_length
    pilot.findings.filter(
        pk=pilot.findings.filter(kind=Finding.Kind.RECOMMENDATION).values("pk")[:1]
    ).update(text=("Z" * 150 + " mot" * longest)[:longest])
    longest = Score._meta.get_field("comment").max_length
    pilot.scores.filter(pk=pilot.scores.values("pk")[:1]).update(
        comment=("avis " * longest)[:longest]
    )
    pdf = render_pdf(render_evaluation_html(Evaluation.objects.get(pk=pilot.pk), "fr"))
    text = flat(pdf)
    assert "mot mot mot" in text and "avis avis" in text
    assert_inside_the_page(pdf)


def fonts(pdf: bytes) -> set[str]:
    """The embedded fonts' names, without their subset prefix ("ABCDEF+")."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_every_pdf_is_set_in_one_sans_serif_family_page_footers_included(demo):
    """The page's margin boxes (the footer: reference, page numbers) do not inherit the body's
    font; without their own they were set in a serif."""
    pilot = Evaluation.objects.get(agreement__reference="VIR-TG-ML-2017", version=1)
    for pdf in (
        render_pdf(render_evaluation_html(pilot, "fr")),
        _quota_pdf(_scopes()["all"], "fr"),
    ):
        assert fonts(pdf) <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}, fonts(pdf)
