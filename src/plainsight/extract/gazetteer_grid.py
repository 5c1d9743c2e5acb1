"""Where a place is on the map: British National Grid, WGS84, and the City of London boundary.

Code-Point Open gives eastings and northings on the British National Grid (EPSG:27700); maps
and most feeds want latitude and longitude (WGS84, EPSG:4326). :func:`to_wgs84` and
:func:`to_bng` convert whole arrays at once with pyproj. Without the OSTN15 grid file (which
pyproj downloads only on request, and plainsight never does at run time) pyproj uses the
published seven-parameter Helmert transformation: good to a few metres, and a round trip
returns to the same point within millimetres.

:class:`CityBoundary` answers "is this point inside the City of London?" (GSS code
E09000001) from the borough polygon shipped in ``data/city_of_london.json``, held on the
British National Grid as a prepared shapely geometry so that a million points take well
under a second.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

__all__ = ["CITY_GSS_CODE", "DATA_DIR", "CityBoundary", "to_bng", "to_wgs84"]

CITY_GSS_CODE = "E09000001"
DATA_DIR = Path(__file__).parent / "data"
BOUNDARY_FILE = DATA_DIR / "city_of_london.json"

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@functools.cache
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def to_wgs84(
    easting: npt.ArrayLike | float, northing: npt.ArrayLike | float
) -> tuple[FloatArray, FloatArray]:
    """Latitudes and longitudes (WGS84) of British National Grid points, as arrays.

    Example: ``lat, lon = to_wgs84([533236.0], [181600.0])`` gives ``51.5176``, ``-0.0812``.
    """
    x = np.asarray(easting, dtype=np.float64)
    y = np.asarray(northing, dtype=np.float64)
    lon, lat = _transformer(27700, 4326).transform(x, y)
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)


def to_bng(lat: npt.ArrayLike | float, lon: npt.ArrayLike | float) -> tuple[FloatArray, FloatArray]:
    """Eastings and northings (British National Grid) of WGS84 points, as arrays."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    easting, northing = _transformer(4326, 27700).transform(x, y)
    return np.asarray(easting, dtype=np.float64), np.asarray(northing, dtype=np.float64)


class CityBoundary:
    """One borough's polygon on the British National Grid, ready for fast point tests."""

    def __init__(self, geometry: Any, name: str = "City of London") -> None:
        if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"the boundary must be a polygon, got {geometry.geom_type}")
        self.name = name
        self.geometry = geometry
        shapely.prepare(self.geometry)
        self.bounds: tuple[float, float, float, float] = tuple(geometry.bounds)

    @classmethod
    @functools.cache
    def builtin(cls) -> CityBoundary:
        """The City of London (E09000001) as shipped in the package."""
        return cls.from_geojson(BOUNDARY_FILE)

    @classmethod
    def from_geojson(cls, path: Path, gss_code: str = CITY_GSS_CODE) -> CityBoundary:
        """The feature whose ``GSS_CODE`` is ``gss_code`` in a WGS84 GeoJSON file.

        Raises ``ValueError`` if no feature has that code.
        """
        collection = json.loads(path.read_text(encoding="utf-8"))
        for feature in collection.get("features", []):
            props = feature.get("properties") or {}
            if props.get("GSS_CODE") == gss_code:
                lonlat = shapely.geometry.shape(feature["geometry"])
                return cls(_project(lonlat), str(props.get("NAME", gss_code)))
        raise ValueError(f"no feature with GSS_CODE {gss_code} in {path}")

    def contains(self, easting: float, northing: float) -> bool:
        """Whether the point is inside the polygon (a point on the edge counts as inside)."""
        west, south, east, north = self.bounds
        if not (west <= easting <= east and south <= northing <= north):
            return False
        return bool(shapely.intersects_xy(self.geometry, easting, northing))

    def contains_many(
        self, easting: Sequence[float] | FloatArray, northing: Sequence[float] | FloatArray
    ) -> BoolArray:
        """:meth:`contains` for arrays of points; points outside the bounding box cost nothing."""
        x = np.asarray(easting, dtype=np.float64)
        y = np.asarray(northing, dtype=np.float64)
        west, south, east, north = self.bounds
        result = np.zeros(x.shape, dtype=np.bool_)
        near = (x >= west) & (x <= east) & (y >= south) & (y <= north)
        if near.any():
            result[near] = shapely.intersects_xy(self.geometry, x[near], y[near])
        return result


def _project(lonlat: Any) -> Any:
    """A WGS84 geometry re-projected onto the British National Grid."""
    transformer = _transformer(4326, 27700)

    def transform(coords: FloatArray) -> FloatArray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(lonlat, transform)
