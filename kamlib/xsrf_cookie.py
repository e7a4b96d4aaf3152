"""The app (standalone Voila) sets the XSRF cookie with each page, so that the page can close its own kernel.

When its tab is closed or left, a Voila page asks the server to shut its kernel down
(``POST voila/api/shutdown/<id>`` with the ``_xsrf`` cookie's value). Voila renders its pages without ever setting
that cookie, so the request is refused ("'_xsrf' argument missing from POST", voila-dashboards/voila#1458) and
every page view leaves a kernel behind. Reading ``xsrf_token`` while the page is served sets the cookie when it is
missing; the XSRF check itself is unchanged.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider, User

PAGE_PATH = "/voila/render/"


def sets_cookie(method: str, path: str) -> bool:
    """Whether a request is an app page view (the cookie is set there; API calls are left alone)."""
    return method == "GET" and PAGE_PATH in path


class XsrfCookieIdentityProvider(PasswordIdentityProvider):
    """Voila's default identity provider (token or password), which also sets the XSRF cookie on page views."""

    async def get_user(self, handler: Any) -> User | None:
        user = await ensure_async(super().get_user(handler))
        if user is not None and sets_cookie(handler.request.method or "", handler.request.path):
            handler.current_user = user  # as the handler sets it next; tornado reads it when making the cookie
            _ = handler.xsrf_token  # sets the cookie when the browser has none
        return user
