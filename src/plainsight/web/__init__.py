"""web stage: the analysts' web app (``plainsight serve``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request

    from plainsight.workspace import Workspace


def workspace(request: Request) -> Workspace:
    """The workspace the app serves (opened by :func:`plainsight.web.app.create_app`)."""
    ws: Workspace = request.app.state.workspace
    return ws


def jsonable(value: Any) -> Any:
    """``value`` with dates and times as ISO strings, for a JSON response."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
