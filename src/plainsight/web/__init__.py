"""web stage: the analysts' web app (``plainsight serve``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

    from plainsight.workspace import Workspace


def workspace(request: Request) -> Workspace:
    """The workspace the app serves (opened by :func:`plainsight.web.app.create_app`)."""
    ws: Workspace = request.app.state.workspace
    return ws
