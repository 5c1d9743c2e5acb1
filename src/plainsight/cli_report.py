"""The committee report commands of ``plainsight crime``.

Registered by :mod:`plainsight.cli_crime`.
"""

from __future__ import annotations

from plainsight.cli_crime import crime_app  # noqa: F401
