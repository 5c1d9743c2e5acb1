"""The gazetteer: known positions, the City boundary, and importing Code-Point Open."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from plainsight.extract.gazetteer import Gazetteer, import_codepoint, postcode_key
from plainsight.extract.gazetteer_codepoint import codepoint_files, read_codepoint
from plainsight.extract.gazetteer_grid import DATA_DIR, CityBoundary, to_bng, to_wgs84

CODEPOINT = Path(__file__).parent / "data" / "codepoint"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.builtin()


def test_a_full_postcode_has_its_published_position(gazetteer: Gazetteer) -> None:
    place = gazetteer.postcode("EC2M 7PY")
    assert place is not None
    assert (place.name, place.kind) == ("EC2M 7PY", "postcode")
    # Code-Point Open: "EC2M7PY",10,533216,181760 (Liverpool Street station)
    assert (place.easting, place.northing) == (533216.0, 181760.0)
    assert place.lat == pytest.approx(51.5191, abs=0.0005)
    assert place.lon == pytest.approx(-0.0814, abs=0.0005)
    assert place.in_city


@pytest.mark.parametrize("written", ["EC2M 7PY", "ec2m7py", " Ec2m  7py ", "EC2M-7PY"])
def test_postcodes_are_found_however_written(gazetteer: Gazetteer, written: str) -> None:
    place = gazetteer.postcode(written)
    assert place is not None and place.name == "EC2M 7PY"


def test_districts_sit_at_the_centre_of_their_postcodes(gazetteer: Gazetteer) -> None:
    ec2m = gazetteer.postcode("ec2m")
    assert ec2m is not None and (ec2m.name, ec2m.kind) == ("EC2M", "district")
    assert ec2m.in_city
    assert ec2m.lat == pytest.approx(51.519, abs=0.003)
    se1 = gazetteer.postcode("SE1")
    assert se1 is not None and not se1.in_city
    manchester = gazetteer.postcode("M1")
    assert manchester is not None and manchester.lat == pytest.approx(53.478, abs=0.01)
    assert gazetteer.district("EC2M 7PY") == ec2m


@pytest.mark.parametrize("text", ["ZZ9", "ZZ9 9ZZ", "EC2M 9ZZ", "", "12345", "Q1"])
def test_what_is_not_in_the_gazetteer_is_none(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.postcode(text) is None


@pytest.mark.parametrize(
    ("postcode", "in_city"),
    [
        ("E1 6AN", True),  # Code-Point gives district E09000001: Bishopsgate side of E1
        ("E1 7AQ", False),  # by Aldgate East: Tower Hamlets (E09000030)
        ("EC1M 6BY", False),  # Farringdon station: Islington, though an EC postcode
        ("EC3N 1AH", True),  # Aldgate station
        ("WC2N 5DU", False),  # Charing Cross: Westminster
        ("N1 0AA", False),
    ],
)
def test_the_city_flag_follows_the_boundary_not_the_postcode(
    gazetteer: Gazetteer, postcode: str, in_city: bool
) -> None:
    place = gazetteer.postcode(postcode)
    assert place is not None
    assert place.in_city is in_city
    assert gazetteer.in_city(place.easting, place.northing) is in_city


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(51.5178, -0.0823), (53.4808, -2.2426), (57.1497, -2.0943), (50.0657, -5.7132)],
)
def test_grid_and_wgs84_round_trip_within_a_metre(lat: float, lon: float) -> None:
    easting, northing = to_bng(lat, lon)
    back_lat, back_lon = to_wgs84(easting, northing)
    again_e, again_n = to_bng(back_lat, back_lon)
    assert abs(float(again_e) - float(easting)) < 1.0
    assert abs(float(again_n) - float(northing)) < 1.0
    assert float(back_lat) == pytest.approx(lat, abs=1e-5)


def test_a_known_grid_reference_converts_to_its_known_position() -> None:
    # Ordnance Survey's own example: TQ 30080 80500 (Westminster), about 51.5070 N 0.1276 W
    lat, lon = to_wgs84(530080.0, 180500.0)
    assert float(lat) == pytest.approx(51.5098, abs=0.002)
    assert float(lon) == pytest.approx(-0.1258, abs=0.002)


CITY_STATIONS = [
    "Liverpool Street",
    "Bank",
    "Moorgate",
    "St Paul's",
    "Aldgate",
    "Barbican",
    "Monument",
    "Fenchurch Street",
    "Cannon Street",
    "Mansion House",
    "Blackfriars",
    "City Thameslink",
    "Tower Gateway",
]
OUTSIDE_STATIONS = [
    "Aldgate East",
    "Old Street",
    "Shoreditch High Street",
    "Tower Hill",
    "Farringdon",
    "Chancery Lane",
    "London Bridge",
]


@pytest.mark.parametrize("name", CITY_STATIONS)
def test_stations_in_the_city_are_flagged(gazetteer: Gazetteer, name: str) -> None:
    place = gazetteer.lookup(f"{name} station")
    assert place is not None and place.kind == "station"
    assert place.in_city, place


@pytest.mark.parametrize("name", OUTSIDE_STATIONS)
def test_stations_just_outside_the_city_are_not(gazetteer: Gazetteer, name: str) -> None:
    place = gazetteer.lookup(f"{name} station")
    assert place is not None and place.kind == "station"
    assert not place.in_city, place


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Liverpool St", "Liverpool Street station"),
        ("LIVERPOOL STREET", "Liverpool Street station"),
        ("moorgate tube", "Moorgate station"),
        ("St Pauls", "St Paul's station"),
        ("St. Paul\u2019s", "St Paul's station"),
        ("the Gherkin", "30 St Mary Axe"),
        ("Kings Cross", "King's Cross station"),
        ("Leeds", "Leeds"),
        ("Stoke on Trent", "Stoke-on-Trent"),
        ("Houndsditch", "Houndsditch"),
    ],
)
def test_names_and_aliases_are_looked_up(gazetteer: Gazetteer, written: str, name: str) -> None:
    place = gazetteer.lookup(written)
    assert place is not None and place.name == name


def test_the_built_in_data_is_small_and_consistent(gazetteer: Gazetteer) -> None:
    shipped = ("postcodes.csv", "districts.csv", "places.csv", "city_of_london.json")
    assert sum((DATA_DIR / name).stat().st_size for name in shipped) < 5_000_000
    assert gazetteer.postcode_count > 14_000
    assert gazetteer.district_count > 2_800
    assert len(list(gazetteer.places("town"))) >= 150
    boundary = CityBoundary.builtin()
    for place in gazetteer.places():
        assert boundary.contains(place.easting, place.northing) is place.in_city, place
        lat, lon = to_wgs84(place.easting, place.northing)
        assert float(lat) == pytest.approx(place.lat, abs=2e-5), place
        assert float(lon) == pytest.approx(place.lon, abs=2e-5), place
    streets = list(gazetteer.places("street"))
    assert len(streets) >= 24 and all(s.in_city for s in streets)
    with (DATA_DIR / "postcodes.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["postcode"].split()[0] for r in rows} >= {"E1", "E1W", "N1", "SE1", "EC2M", "WC1A"}


def test_the_boundary_agrees_with_code_point_s_own_district_codes() -> None:
    boundary = CityBoundary.builtin()
    table = read_codepoint(CODEPOINT / "ec.csv").table
    flags = boundary.contains_many(table["easting"].to_numpy(), table["northing"].to_numpy())
    codes = [code == "E09000001" for code in table["admin_district"].to_pylist()]
    agree = sum(f == c for f, c in zip(flags.tolist(), codes, strict=True))
    assert sum(codes) > 200 and sum(not c for c in codes) > 100
    assert agree / len(codes) > 0.99


def test_import_reads_code_point_as_published(tmp_path: Path) -> None:
    source = tmp_path / "codepo_gb" / "Data" / "CSV"
    source.mkdir(parents=True)
    for path in CODEPOINT.glob("*.csv"):
        shutil.copy(path, source / path.name)
    (source / "zz.csv").write_text(
        '"EC2M7PY",10,533216\n'  # too few columns
        '"EC2M7PZ",10,"five","181760","E92000001","","","","E09000001",""\n'  # not a number
        '"NOT A PC",10,533216,181760,"E92000001","","","","",""\n'  # not a postcode
        '"EC2M7PY",10,533216,181760,"E92000001","","","","E09000001","","extra"\n'
        '"EC2V7HH",10,532440,181300,"E92000001","","","","E09000001",""\n',
        encoding="utf-8",
    )
    (tmp_path / "codepo_gb" / "Doc").mkdir()
    progress: list[tuple[int, int]] = []

    target = tmp_path / "gazetteer"
    count = import_codepoint(tmp_path / "codepo_gb", target, lambda d, t: progress.append((d, t)))

    # 537 EC + 252 E1 + 40 EN rows with coordinates + EC2V 7HH; 67 EN rows have quality 90
    assert count == 537 + 252 + 40 + 1
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    manifest = (target / "gazetteer.json").read_text(encoding="utf-8")
    assert '"skipped_rows": 71' in manifest  # 67 without coordinates, 4 malformed
    postcodes = pq.read_table(target / "postcodes.parquet")
    assert postcodes.num_rows == count
    row = postcodes.filter(pc.equal(postcodes["postcode"], "EC2M 7PY")).to_pylist()[0]
    assert row["lat"] == pytest.approx(51.5191, abs=0.0005) and row["in_city"]

    loaded = Gazetteer.load(target)
    assert loaded.postcode_count == count
    assert loaded.postcode("EC2V 7HH") is not None
    assert loaded.postcode("WC2N 5DU") is None  # not imported: the workspace's data rules
    en = loaded.postcode("EN1")
    assert en is not None and en.lat > 51.6 and not en.in_city
    assert loaded.lookup("Bank") == Gazetteer.builtin().lookup("Bank")


def test_load_falls_back_to_the_built_in_gazetteer(tmp_path: Path) -> None:
    assert Gazetteer.load(tmp_path) is Gazetteer.builtin()


def test_import_of_a_single_file_and_of_nothing(tmp_path: Path) -> None:
    assert codepoint_files(CODEPOINT / "e.csv") == [CODEPOINT / "e.csv"]
    assert import_codepoint(CODEPOINT / "e.csv", tmp_path / "one") == 252
    with pytest.raises(FileNotFoundError):
        import_codepoint(tmp_path / "empty", tmp_path / "out")


def test_a_file_that_is_not_csv_is_skipped_row_by_row(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b'\xff\xfe"EC2M7PY\x00,10\n' + bytes(range(256)) + b"\n")
    assert read_codepoint(junk).table.num_rows == 0


def test_postcode_keys() -> None:
    assert postcode_key(" ec2m-7py ") == "EC2M7PY"
