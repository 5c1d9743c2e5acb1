"""What every document plainsight writes shares: Jinja2 templates in a package, a style
sheet, and PDF made from the HTML by WeasyPrint without fetching anything.

Used by the committee report, the threat profile, intelligence reports and welfare-check
briefings, so each only says what is its own (its template and its model).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from plainsight.errors import MissingExtra


@cache
def templates(package: str) -> jinja2.Environment:
    """The Jinja2 templates in ``package``'s ``templates/`` folder: escaped, strict."""
    folder = resources.files(package).joinpath("templates")
    loader = jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text(encoding="utf-8"))
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheet(package: str, name: str) -> str:
    """A style sheet from ``package``'s ``templates/`` folder, to inline in a document."""
    return resources.files(package).joinpath("templates", name).read_text(encoding="utf-8")


def write_pdf(html: str, path: Path) -> Path:
    """Lay ``html`` out as PDF at ``path`` with WeasyPrint; nothing is fetched but ``data:``."""
    from PIL import ImageFile

    strict = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise MissingExtra("report", "weasyprint") from exc
    finally:
        # WeasyPrint lets Pillow accept truncated pictures, for the whole process, on import;
        # fingerprinting and the web app must go on refusing them.
        ImageFile.LOAD_TRUNCATED_IMAGES = strict
    weasyprint.HTML(string=html, url_fetcher=data_only_fetcher()).write_pdf(str(path))
    return path


def data_only_fetcher() -> Any:
    """WeasyPrint's fetcher limited to ``data:`` URIs: a document embeds all it shows."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint 68 and later

        return URLFetcher(allowed_protocols={"data"})
    except ImportError:  # pragma: no cover - older WeasyPrint: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"the document refers to {url}; documents embed all they show")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
