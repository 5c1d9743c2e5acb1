"""Build plainsight's built-in gazetteer (src/plainsight/extract/data/) from public data.

    .venv/bin/python scripts/build_gazetteer.py \
        --codepoint ../shared/data/codepoint-open --boundaries ../shared/data/london-boundaries

How the subset is made:

1. ``city_of_london.json``: the one feature with GSS code E09000001 copied unchanged (WGS84)
   from ``London_Borough_Excluding_MHW.geojson`` (London Datastore statistical GIS boundary
   files, excluding the area below mean high water).
2. All of Code-Point Open is imported with :func:`import_codepoint` (the same code users run
   with ``plainsight gazetteer import``) into a temporary folder.
3. ``postcodes.csv``: every full postcode in the EC and WC areas and in the districts E1,
   E1W, N1, N1C, N1P, SE1 and SE1P, with its grid reference, WGS84 position and City flag.
4. ``districts.csv``: every postcode district in Great Britain, placed at the mean position
   of its postcodes (what ``EC2M`` or ``M1`` resolves to).
5. ``places.csv``: the hand-kept list ``scripts/gazetteer_names.csv`` (stations, landmarks,
   City streets, areas, ~190 towns), each placed either by latitude/longitude read off a
   map or, for towns and areas, at the centroid of its central postcode district; then
   converted and flagged as above. ``ambiguous`` marks names that are also common words
   (Bank, Reading, Bath...): the extractor wants place context before it trusts them.

Prints every City station, street and landmark with its City flag so that edge cases can be
checked by eye against the boundary.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from plainsight.extract.gazetteer_codepoint import import_codepoint
from plainsight.extract.gazetteer_grid import CITY_GSS_CODE, CityBoundary, to_bng, to_wgs84

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "plainsight" / "extract" / "data"
NAMES = Path(__file__).resolve().parent / "gazetteer_names.csv"
FULL_AREAS = ("EC", "WC")
FULL_DISTRICTS = ("E1", "E1W", "N1", "N1C", "N1P", "SE1", "SE1P")


def build(codepoint: Path, boundaries: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    boundary_file = out / "city_of_london.json"
    _copy_city(boundaries / "London_Borough_Excluding_MHW.geojson", boundary_file)
    boundary = CityBoundary.from_geojson(boundary_file)
    with tempfile.TemporaryDirectory() as tmp:
        import_codepoint(codepoint, Path(tmp), boundary=boundary)
        postcodes = pq.read_table(Path(tmp) / "postcodes.parquet")
        districts = pq.read_table(Path(tmp) / "districts.parquet")
    outward = pc.utf8_slice_codeunits(postcodes["postcode"], 0, -4)
    area = pc.replace_substring_regex(outward, "[0-9].*$", "")
    keep = pc.or_(pc.is_in(area, pa.array(FULL_AREAS)), pc.is_in(outward, pa.array(FULL_DISTRICTS)))
    subset = postcodes.filter(keep)
    _write_csv(
        out / "postcodes.csv",
        ["postcode", "easting", "northing", "lat", "lon", "in_city"],
        _rows(subset, ["postcode", "easting", "northing", "lat", "lon", "in_city"]),
    )
    _write_csv(
        out / "districts.csv",
        ["district", "easting", "northing", "lat", "lon", "in_city", "postcodes"],
        _rows(districts, ["district", "easting", "northing", "lat", "lon", "in_city", "postcodes"]),
    )
    centroids = {
        row["district"]: (row["easting"], row["northing"]) for row in districts.to_pylist()
    }
    places = _places(centroids, boundary)
    _write_csv(
        out / "places.csv",
        ["kind", "name", "ambiguous", "aliases", "easting", "northing", "lat", "lon", "in_city"],
        places,
    )
    print(f"{subset.num_rows} postcodes, {districts.num_rows} districts, {len(places)} places")
    for row in places:
        central = float(row[7]) > -0.13 and 51.49 < float(row[6]) < 51.54
        if row[0] in ("station", "street", "landmark", "area") and central:
            print(f"  {row[0]:9} {row[1]:35} in_city={row[8]}")


def _copy_city(source: Path, target: Path) -> None:
    collection = json.loads(source.read_text(encoding="utf-8"))
    features = [
        f for f in collection["features"] if f["properties"].get("GSS_CODE") == CITY_GSS_CODE
    ]
    if len(features) != 1:
        sys.exit(f"expected one feature {CITY_GSS_CODE} in {source}, found {len(features)}")
    city = {"type": "FeatureCollection", "crs": collection.get("crs"), "features": features}
    target.write_text(json.dumps(city, separators=(",", ":")) + "\n", encoding="utf-8")


def _places(centroids: dict[str, tuple[float, float]], boundary: CityBoundary) -> list[list[str]]:
    rows: list[list[str]] = []
    with NAMES.open(encoding="utf-8", newline="") as handle:
        for entry in csv.DictReader(handle):
            where = entry["where"].split()
            if len(where) == 2:
                e, n = to_bng(float(where[0]), float(where[1]))
                easting, northing = float(e), float(n)
            elif where[0] in centroids:
                easting, northing = centroids[where[0]]
            else:
                sys.exit(f"{entry['name']}: no postcode district {where[0]}")
            lat, lon = to_wgs84(easting, northing)
            rows.append(
                [
                    entry["kind"],
                    entry["name"],
                    entry["ambiguous"],
                    entry["aliases"],
                    f"{easting:.0f}",
                    f"{northing:.0f}",
                    f"{float(lat):.6f}",
                    f"{float(lon):.6f}",
                    str(boundary.contains(easting, northing)).lower(),
                ]
            )
    return rows


def _rows(table: pa.Table, columns: list[str]) -> list[list[str]]:
    out = []
    for row in table.select(columns).to_pylist():
        cells = []
        for name in columns:
            value = row[name]
            if name in ("easting", "northing"):
                cells.append(f"{value:.0f}")
            elif name in ("lat", "lon"):
                cells.append(f"{value:.6f}")
            elif isinstance(value, bool):
                cells.append(str(value).lower())
            else:
                cells.append(str(value))
        out.append(cells)
    return out


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codepoint", type=Path, required=True)
    parser.add_argument("--boundaries", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    build(args.codepoint, args.boundaries, args.out)


if __name__ == "__main__":
    main()
