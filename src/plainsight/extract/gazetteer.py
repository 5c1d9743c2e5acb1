"""The gazetteer: postcodes, districts and named places, with where each one is.

A :class:`Place` carries both grid references an analyst meets (British National Grid and
WGS84) and whether it lies inside the City of London. The package ships a small built-in
gazetteer (``data/``: London's central postcodes, every postcode district in Great Britain,
City streets, stations, landmarks and UK towns; see ``data/LICENCE.md`` and
``scripts/build_gazetteer.py``); a workspace can import all of Code-Point Open with
:func:`~plainsight.extract.gazetteer_codepoint.import_codepoint`, and
:meth:`Gazetteer.load` then uses every postcode in Great Britain.

Postcodes are held column-wise (sorted keys and numpy arrays, binary search), so the 1.7
million postcodes of Great Britain load in about a second and take little memory;
:class:`Place` objects are made only for postcodes asked about.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from plainsight.extract.gazetteer_codepoint import import_codepoint
from plainsight.extract.gazetteer_grid import DATA_DIR, CityBoundary

__all__ = ["KINDS", "Gazetteer", "Name", "Place", "import_codepoint", "postcode_key"]

KINDS = ("postcode", "district", "street", "station", "landmark", "area", "town")
"""What a place can be; ``area`` is a neighbourhood (Shoreditch, Deansgate)."""

PRIORITY = {"station": 0, "landmark": 1, "street": 2, "area": 3, "town": 4}
"""When two places share a name ("Liverpool Street"), the lower number wins it."""

STATION_SUFFIXES = ("station", "tube", "tube station", "underground", "stn", "rail station")

_NOT_KEY = re.compile(r"[^A-Z0-9]")
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Place:
    """A point in the gazetteer.

    ``name`` is canonical (``EC2M 7PY``, ``Liverpool Street station``, ``Manchester``);
    ``kind`` is one of :data:`KINDS`; ``easting``/``northing`` are British National Grid
    metres (EPSG:27700); ``lat``/``lon`` are WGS84 degrees; ``in_city`` says whether the
    point is inside the City of London boundary (GSS E09000001).
    """

    name: str
    kind: str
    easting: float
    northing: float
    lat: float
    lon: float
    in_city: bool


@dataclass(frozen=True)
class Name:
    """One way of writing a named place (lower case), and whether it is also a common word."""

    text: str
    place: Place
    ambiguous: bool


def postcode_key(text: str) -> str:
    """Upper case without spaces or punctuation: ``"ec2m 7py"`` becomes ``"EC2M7PY"``."""
    return _NOT_KEY.sub("", text.upper())


def name_key(text: str) -> str:
    """Lower case, curly apostrophes straightened, runs of space collapsed."""
    return _SPACES.sub(" ", text.replace("\u2019", "'").strip().lower())


class _Postcodes:
    """Full postcodes as sorted keys and parallel coordinate columns."""

    def __init__(self, table: pa.Table) -> None:
        keys = pc.replace_substring(table["postcode"], " ", "").to_numpy(zero_copy_only=False)
        order = np.argsort(keys.astype("S8"), kind="stable")
        self.keys = keys.astype("S8")[order]
        self.names = table["postcode"].to_numpy(zero_copy_only=False)[order]
        self.columns = {
            c: table[c].to_numpy(zero_copy_only=False)[order]
            for c in ("easting", "northing", "lat", "lon", "in_city")
        }

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def get(self, key: str) -> Place | None:
        raw = key.encode("ascii", "ignore")
        i = int(np.searchsorted(self.keys, raw))
        if i >= len(self) or self.keys[i] != raw:
            return None
        c = self.columns
        return Place(
            str(self.names[i]),
            "postcode",
            float(c["easting"][i]),
            float(c["northing"][i]),
            float(c["lat"][i]),
            float(c["lon"][i]),
            bool(c["in_city"][i]),
        )


class Gazetteer:
    """Postcodes, postcode districts and named places, and the City boundary.

    Make one with :meth:`builtin` or :meth:`load`; it is read-only afterwards and safe to
    share between threads.
    """

    def __init__(
        self,
        postcodes: pa.Table,
        districts: pa.Table,
        places: pa.Table,
        boundary: CityBoundary | None = None,
    ) -> None:
        self.boundary = boundary or CityBoundary.builtin()
        self._postcodes = _Postcodes(postcodes)
        self._districts = {
            row["district"]: Place(
                row["district"],
                "district",
                float(row["easting"]),
                float(row["northing"]),
                float(row["lat"]),
                float(row["lon"]),
                bool(row["in_city"]),
            )
            for row in districts.to_pylist()
        }
        self._places: list[Place] = []
        names: dict[str, Name] = {}
        derived: list[Name] = []
        rows = sorted(places.to_pylist(), key=lambda r: PRIORITY.get(str(r["kind"]), 9))
        for row in rows:
            place = Place(
                str(row["name"]),
                str(row["kind"]),
                float(row["easting"]),
                float(row["northing"]),
                float(row["lat"]),
                float(row["lon"]),
                bool(row["in_city"]),
            )
            self._places.append(place)
            aliases = [a for a in str(row["aliases"] or "").split("|") if a.strip()]
            for text, ambiguous, primary in _spellings(place, aliases, bool(row["ambiguous"])):
                if primary:
                    names.setdefault(text, Name(text, place, ambiguous))
                else:
                    derived.append(Name(text, place, ambiguous))
        for name in derived:
            names.setdefault(name.text, name)
        self.names: Mapping[str, Name] = names

    @classmethod
    def builtin(cls) -> Gazetteer:
        """The gazetteer shipped in the package (loaded once, then shared)."""
        return _builtin()

    @classmethod
    def load(cls, folder: Path) -> Gazetteer:
        """A workspace's imported gazetteer in ``folder``, or the built-in one if none.

        ``folder`` is where :func:`import_codepoint` wrote ``postcodes.parquet`` and
        ``districts.parquet``; named places (stations, streets, towns) always come from
        the built-in gazetteer.
        """
        postcodes, districts = folder / "postcodes.parquet", folder / "districts.parquet"
        if not (postcodes.is_file() and districts.is_file()):
            return cls.builtin()
        return cls(
            pq.read_table(
                postcodes, columns=["postcode", "easting", "northing", "lat", "lon", "in_city"]
            ),
            pq.read_table(districts),
            _read_csv(DATA_DIR / "places.csv"),
        )

    def postcode(self, text: str) -> Place | None:
        """A full postcode (``"EC2M 7PY"``, ``"ec2m7py"``) or a district (``"EC2M"``).

        A full postcode missing from the gazetteer is ``None`` even if its district is
        known; ask for :meth:`district` for that. Returns ``None`` for anything else.
        """
        key = postcode_key(text)
        if _FULL.match(key):
            return self._postcodes.get(key)
        if _DISTRICT.match(key):
            return self._districts.get(key)
        return None

    def district(self, text: str) -> Place | None:
        """The district of a postcode (``"EC2M 7PY"`` or ``"EC2M"`` both give ``EC2M``)."""
        key = postcode_key(text)
        full = _FULL.match(key)
        return self._districts.get(full.group(1) if full else key)

    def lookup(self, name: str) -> Place | None:
        """A street, station, landmark, area or town by name or alias, in any case.

        ``"Liverpool St"``, ``"liverpool street station"`` and ``"Liverpool Street"`` all
        give ``Liverpool Street station`` (a station wins a name it shares with a street).
        """
        found = self.names.get(name_key(name))
        return found.place if found else None

    def in_city(self, easting: float, northing: float) -> bool:
        """Whether a British National Grid point is inside the City of London."""
        return self.boundary.contains(easting, northing)

    def places(self, kind: str | None = None) -> Iterator[Place]:
        """Every named place, or those of one kind."""
        return (p for p in self._places if kind is None or p.kind == kind)

    @property
    def postcode_count(self) -> int:
        return len(self._postcodes)

    @property
    def district_count(self) -> int:
        return len(self._districts)


def _spellings(
    place: Place, aliases: list[str], ambiguous: bool
) -> Iterator[tuple[str, bool, bool]]:
    """Every way an advert might write a place: lower case, ambiguous, primary.

    A station's name without "station" (``Leeds`` from ``Leeds station``) is not primary:
    it names the station only if nothing else (the town, a street) has that name.
    """
    bases = [(place.name, True)] + [(alias, True) for alias in aliases]
    if place.kind == "station" and place.name.endswith(" station"):
        bases.append((place.name.removesuffix(" station"), False))
    seen: set[str] = set()
    for base, primary in bases:
        for text in sorted(_variants(name_key(base))):
            if text in seen:
                continue
            seen.add(text)
            suffixed = place.kind == "station" and text.endswith(STATION_SUFFIXES)
            yield text, ambiguous and not suffixed and " " not in text, primary
            if place.kind == "station" and not suffixed:
                for suffix in STATION_SUFFIXES:
                    yield f"{text} {suffix}", False, True


_VARIANTS = (
    (re.compile(r"(?<=\w )street\b"), "st"),
    (re.compile(r"\bst\b(?= \w)"), "st."),
    (re.compile(r"\bst\b(?= \w)"), "saint"),
    (re.compile(r"'"), ""),
    (re.compile(r"-"), " "),
)


def _variants(text: str) -> set[str]:
    """``st paul's`` as ``st pauls``, ``st. paul's``, ``saint paul's``; ``street`` as ``st``."""
    out = {text}
    for pattern, new in _VARIANTS:
        out |= {pattern.sub(new, t) for t in out}
    return out


def _read_csv(path: Path) -> pa.Table:
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={
                "postcode": pa.string(),
                "district": pa.string(),
                "name": pa.string(),
                "aliases": pa.string(),
                "ambiguous": pa.bool_(),
                "in_city": pa.bool_(),
                "easting": pa.float64(),
                "northing": pa.float64(),
            },
            strings_can_be_null=False,
        ),
    )


@functools.cache
def _builtin() -> Gazetteer:
    return Gazetteer(
        _read_csv(DATA_DIR / "postcodes.csv"),
        _read_csv(DATA_DIR / "districts.csv"),
        _read_csv(DATA_DIR / "places.csv"),
    )
