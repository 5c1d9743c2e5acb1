"""The crime statistics pages: a workspace with the synthetic crime world imported, a user per
role, the page read as a committee member reads it and the downloads opened as files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.cli import app as cli
from plainsight.crime.codes import SEXES
from plainsight.crime.importer import load_records
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.stats.counts import crime_stats
from plainsight.synth.crime import generate_crime
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.report.conftest import html_tables
from tests.web.conftest import PASSWORD, ROLES, serving, sign_in

FROM, TO = date(2019, 1, 1), date(2023, 12, 31)
"""The default period for the synthetic world: whole years, 2024 being incomplete."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class CrimeHome:
    home: Path
    world: Path
    stats: dict[str, Any]
    """``crime_stats`` counted directly from the world's CSV files for FROM..TO."""


@pytest.fixture(scope="module")
def crime_home(tmp_path_factory: pytest.TempPathFactory) -> CrimeHome:
    root = tmp_path_factory.mktemp("stats")
    world = root / "world"
    generate_crime(world, seed=0)
    home = root / "home"
    done = CliRunner().invoke(cli, ["--home", str(home), "crime", "import", str(world)])
    assert done.exit_code == 0, done.output
    workspace = Workspace.open(load_settings(home))
    for role in ROLES:
        add_user(workspace, f"{role}-stats", PASSWORD, role)
    return CrimeHome(home, world, crime_stats(load_records(world), FROM, TO))


@pytest.fixture(scope="module")
def app(crime_home: CrimeHome) -> Any:
    return create_app(crime_home.home, secret="test-secret-not-for-use", login_delay=0.0)


def client_for(app: Any, role: str | None) -> TestClient:
    client = TestClient(app)
    if role is not None:
        sign_in(client, f"{role}-stats", enquiry="Op Lantern" if role != "viewer" else None)
    return client


@pytest.fixture(scope="module")
def viewer(app: Any) -> TestClient:
    return client_for(app, "viewer")


@pytest.fixture(scope="module")
def page(viewer: TestClient) -> str:
    response = viewer.get("/stats")
    assert response.status_code == 200, response.text
    return response.text


def numbers(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_page_shows_the_counts_crime_stats_gives(page: str, crime_home: CrimeHome) -> None:
    stats = crime_home.stats
    tables = html_tables(page)
    assert "1 January 2019 to 31 December 2023" in page
    headline = re.search(r'id="figure-crimes"><dt>[^<]*</dt><dd>([\d,]+)</dd>', page)
    assert headline and numbers(headline.group(1)) == stats["crimes"]
    victims = re.search(r'id="figure-victims"><dt>[^<]*</dt><dd>([\d,]+)</dd>', page)
    assert victims and numbers(victims.group(1)) == stats["victims"]

    by_year = {row[0]: row for row in tables["crimes-by-year"][1:]}
    for year, count in stats["crimes_by_year"].items():
        assert numbers(by_year[year][1]) == count
        share = stats["share_of_all_crime_by_year"].get(year)
        if share is not None:
            assert by_year[year][4] == f"{share:.2f}"
    assert numbers(by_year["TOTAL"][1]) == stats["crimes"]

    ages = tables["victims-sex-age"]
    bands = ages[0][1:-1]
    by_sex = {row[0]: row for row in ages[1:]}
    for sex, label in (("F", "FEMALE"), ("M", "MALE")):
        counted = dict(
            zip(stats["victims_by_sex_age"]["bands"], stats["victims_by_sex_age"][sex], strict=True)
        )
        assert [numbers(v) for v in by_sex[label][1:-1]] == [counted[b] for b in bands]
        assert numbers(by_sex[label][-1]) == stats["victims_by_sex"][sex]

    ethnicity = {row[0]: row for row in tables["victims-sex-ethnicity"][1:]}
    assert numbers(ethnicity["TOTAL"][-1]) == stats["victims"]
    white_ne = tables["victims-sex-ethnicity"][0].index("WHITE NE")
    ic1 = stats["victims_by_sex_ethnicity"]["codes"].index("IC1")
    assert numbers(ethnicity["MALE"][white_ne]) == stats["victims_by_sex_ethnicity"]["M"][ic1]

    outcomes = tables["outcomes-by-year"]
    years = outcomes[0][1:-2]
    for row in outcomes[1:-1]:
        code = row[0].split(":")[0]
        code = "pending" if code.startswith("Pending") else code
        assert [numbers(v) for v in row[1:-2]] == [
            stats["outcomes_by_year"][code].get(y, 0) for y in years
        ]


def test_the_charts_are_inline_svg_with_their_figures_as_tables(
    page: str, crime_home: CrimeHome
) -> None:
    for key in ("victims-age-sex", "crimes-by-year", "crimes-by-month", "share", "outcomes"):
        chart = re.search(
            rf'<figure class="stats-chart" id="chart-{key}">(.*?)</figure>', page, re.S
        )
        assert chart, key
        assert re.search(r"<svg[^>]*role=\"img\"", chart.group(1))
        assert f'<title id="chart-{key}-title">' in chart.group(1)
        assert "<rect " in chart.group(1) or "<polyline " in chart.group(1)
    month = re.search(r'id="chart-crimes-by-month">(.*?)</figure>', page, re.S)
    assert month
    cells = dict(
        re.findall(r'<tr><th scope="row">(\w{3})</th><td class="num">(\d+)</td>', month.group(1))
    )
    assert [int(cells[m]) for m in MONTHS] == crime_home.stats["crimes_by_month_of_year"]
    # one bar per month, as tall as its count allows: the tallest month has the tallest bar
    heights = [
        float(h)
        for h in re.findall(
            r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill', month.group(1)
        )
    ]
    months = crime_home.stats["crimes_by_month_of_year"]
    assert len(heights) == 12
    assert heights.index(max(heights)) == months.index(max(months))


def test_trends_are_worded_with_their_uncertainty(page: str) -> None:
    trends = re.search(r'<section id="trends">(.*?)</section>', page, re.S)
    assert trends
    items = re.findall(r"<li>(.*?)</li>", trends.group(1), re.S)
    assert len(items) == 4  # 2019→2020 ... 2022→2023
    assert all("p = " in item or "p &lt; " in item for item in items)
    assert any("chance" in item for item in items)


def test_the_national_comparison_is_shown_for_the_synthetic_world(page: str) -> None:
    assert 'id="synthetic-notice"' in page
    assert 'id="figure-national"' in page
    assert '<table id="national">' in page


def test_the_page_has_no_inline_style_or_script(page: str) -> None:
    assert " style=" not in page
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_roles(app: Any) -> None:
    for role in ("analyst", "investigator", "supervisor"):
        assert client_for(app, role).get("/stats").status_code == 200, role
    admin = client_for(app, "admin")
    assert admin.get("/stats").status_code == 403
    assert admin.get("/stats/stats.json").status_code == 403
    anonymous = client_for(app, None)
    for path in ("/stats", "/stats/report.pdf"):
        gone = anonymous.get(path, follow_redirects=False)
        assert gone.status_code == 303
        assert gone.headers["location"].startswith("/login")


def test_a_viewer_needs_no_line_of_enquiry(viewer: TestClient) -> None:
    assert viewer.get("/stats", follow_redirects=False).status_code == 200


def test_a_bad_period_is_a_message(viewer: TestClient) -> None:
    bad = viewer.get("/stats", params={"from": "2023-01-01", "to": "2022-01-01"})
    assert bad.status_code == 400
    assert "ends (2022-01-01) before it starts" in bad.text
    assert viewer.get("/stats", params={"from": "yesterday"}).status_code == 400


def test_a_chosen_period(viewer: TestClient, crime_home: CrimeHome) -> None:
    shown = viewer.get("/stats", params={"from": "2022-01-01", "to": "2024-06-30"})
    assert shown.status_code == 200
    stats = crime_stats(load_records(crime_home.world), date(2022, 1, 1), date(2024, 6, 30))
    by_year = {row[0]: row for row in html_tables(shown.text)["crimes-by-year"][1:]}
    assert numbers(by_year["2024 (part)"][1]) == stats["crimes_by_year"]["2024"]
    assert numbers(by_year["TOTAL"][1]) == stats["crimes"]


def audit_events(home: Path) -> list[tuple[str, str, dict[str, Any]]]:
    with Workspace.open(load_settings(home)).ops.session() as session:
        return [
            (e.action, e.target, orjson.loads(e.detail or "{}"))
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_json_download_is_the_contract_json(viewer: TestClient, crime_home: CrimeHome) -> None:
    got = viewer.get("/stats/stats.json")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["content-disposition"] == (
        'attachment; filename="mdsht-stats-2019-01-01-to-2023-12-31.json"'
    )
    assert orjson.loads(got.content) == orjson.loads(orjson.dumps(crime_home.stats))
    exports = [e for e in audit_events(crime_home.home) if e[0] == "export"]
    assert exports[-1][1] == "/stats/stats.json"
    assert exports[-1][2]["format"] == "json" and exports[-1][2]["public"] is False


def test_public_json_withholds_the_small_counts(viewer: TestClient, crime_home: CrimeHome) -> None:
    got = viewer.get("/stats/stats.json", params={"public": "1"})
    assert got.status_code == 200
    assert "-public.json" in got.headers["content-disposition"]
    public = orjson.loads(got.content)
    private = crime_home.stats
    assert public["disclosure"]["threshold"] == 10
    assert public["crimes_by_year"] == private["crimes_by_year"]
    assert public["crimes_by_month_of_year"] == private["crimes_by_month_of_year"]
    withheld = 0
    for table in ("victims_by_sex_age", "victims_by_sex_ethnicity"):
        for sex in SEXES:
            for shown, count in zip(public[table][sex], private[table][sex], strict=True):
                if 0 < count < 10:
                    assert shown is None  # every small count of people is withheld
                if shown is None:
                    withheld += 1
                else:
                    assert shown == count
    assert withheld > 0
    assert "victim_profile" not in public and set(public) - set(private) == {"disclosure"}
    exports = [e for e in audit_events(crime_home.home) if e[0] == "export"]
    assert exports[-1][2]["public"] is True


@pytest.mark.parametrize(
    ("fmt", "media", "magic"),
    [
        ("pdf", "application/pdf", b"%PDF"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("html", "text/html", b"<!DOCTYPE html>"),
    ],
)
def test_report_downloads(
    viewer: TestClient, crime_home: CrimeHome, fmt: str, media: str, magic: bytes
) -> None:
    private = viewer.get(f"/stats/report.{fmt}")
    public = viewer.get(f"/stats/report.{fmt}", params={"public": "1"})
    for got, suffix in ((private, f".{fmt}"), (public, f"-public.{fmt}")):
        assert got.status_code == 200, got.text[:300]
        assert got.headers["content-type"].startswith(media)
        assert got.headers["content-disposition"].startswith("attachment; ")
        assert got.headers["content-disposition"].endswith(f'2019-01-01-to-2023-12-31{suffix}"')
        assert got.content.startswith(magic)
        assert len(got.content) > 10_000
    if fmt == "docx":
        texts = []
        for got in (private, public):
            with zipfile.ZipFile(io.BytesIO(got.content)) as document:
                texts.append(document.read("word/document.xml").decode("utf-8"))
        assert "[c]" not in texts[0] and "[c]" in texts[1]
    if fmt == "html":
        assert "[c]" not in private.text and "[c]" in public.text
        tables = html_tables(private.text)
        assert numbers(tables["crimes-by-year"][-1][1]) == crime_home.stats["crimes"]
    exports = [e for e in audit_events(crime_home.home) if e[0] == "export"]
    assert [(e[1], e[2]["format"], e[2]["public"]) for e in exports[-2:]] == [
        (f"/stats/report.{fmt}", fmt, False),
        (f"/stats/report.{fmt}", fmt, True),
    ]


def test_the_public_page_withholds_and_leaves_out_the_charts_of_people(
    viewer: TestClient,
) -> None:
    shown = viewer.get("/stats", params={"public": "1"})
    assert shown.status_code == 200
    assert 'id="version-public"' in shown.text
    tables = html_tables(shown.text)
    assert any("[c]" in row for row in tables["victims-sex-age"])
    assert 'id="chart-victims-age-sex"' not in shown.text
    assert 'id="chart-crimes-by-year"' in shown.text
    assert "public=1" in re.search(r'href="(/stats/report.pdf\?[^"]+)"', shown.text).group(1)


def test_no_crime_records_says_how_to_import_them(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    workspace = Workspace.open(load_settings(home))
    add_user(workspace, "viewer-empty", PASSWORD, "viewer")
    client = TestClient(create_app(home, secret="test-secret-not-for-use", login_delay=0.0))
    sign_in(client, "viewer-empty", enquiry=None)
    shown = client.get("/stats")
    assert shown.status_code == 200
    assert 'id="no-crime-records"' in shown.text
    assert "plainsight crime import DIR" in shown.text
    assert client.get("/stats/report.pdf").status_code == 404


@pytest.fixture(scope="module")
def stats_server(app: Any) -> Iterator[str]:
    """The app over the crime workspace, served on loopback for the browser."""
    with serving(app) as origin:
        yield origin


def test_in_a_browser_the_charts_draw_with_no_console_errors(
    browser: Any, stats_server: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []

    def console(msg: Any) -> None:
        where = str(msg.location.get("url", ""))
        # Chromium asks for /favicon.ico by itself; a missing one is not the page's.
        if msg.type == "error" and not where.endswith("/favicon.ico"):
            errors.append(f"{msg.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(stats_server + "/login")
        form = page.locator("form").filter(has=page.locator("input[type=password]"))
        form.locator("input:not([type=hidden]):not([type=password])").first.fill("viewer-stats")
        form.locator("input[type=password]").fill(PASSWORD)
        form.locator("[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.rstrip("/").endswith("/stats"), page.url  # a viewer lands here
        bars = page.locator("#chart-crimes-by-year svg rect")
        assert bars.count() == 5
        box = bars.first.bounding_box()
        assert box is not None and box["height"] > 10 and box["width"] > 10
        # the stylesheet applied: the headline figures are laid out as a grid
        display = page.locator("dl.figures").evaluate("e => getComputedStyle(e).display")
        assert display == "grid"
        page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)
        assert errors == [], errors
        assert all(u.startswith(stats_server + "/") for u in requests)
    finally:
        context.close()


def test_the_national_table_and_force_name_come_from_the_settings(
    tmp_path: Path, crime_home: CrimeHome
) -> None:
    """Records that are not a synthetic world get a national comparison only when the
    settings name the Home Office table; the force's name is the setting's."""
    import shutil

    from plainsight.crime.national_table import synthetic_national_table_path

    world = tmp_path / "records"
    shutil.copytree(crime_home.world, world)
    (world / "README.txt").unlink()  # no longer marked synthetic
    pages = {}
    for name, toml in (
        ("plain", ""),
        (
            "named",
            f'national_table = "{synthetic_national_table_path()}"\n'
            'force_name = "City of London Police"\n',
        ),
    ):
        home = tmp_path / name
        home.mkdir()
        (home / "plainsight.toml").write_text(toml)
        done = CliRunner().invoke(cli, ["--home", str(home), "crime", "import", str(world)])
        assert done.exit_code == 0, done.output
        add_user(Workspace.open(load_settings(home)), "v", PASSWORD, "viewer")
        client = TestClient(create_app(home, secret="s" * 40, login_delay=0.0))
        sign_in(client, "v", enquiry=None)
        pages[name] = client.get("/stats").text
    assert 'id="synthetic-notice"' not in pages["plain"]
    assert 'id="figure-national"' not in pages["plain"]
    assert 'id="figure-national"' in pages["named"]
    assert '<table id="national">' in pages["named"]
