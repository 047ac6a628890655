"""What the web server adds to Streamlit's own: the routes that set and clear the sign-in cookie, and the
handler of unexpected errors in a page (the user sees a message with a reference; the details go to the
server's log only)."""
from __future__ import annotations

import functools
import logging
import secrets

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.access import sessions
from core.store import db
from core.store.opening import open_store

SESSION_PATH = "/_vbp/session"
SIGN_OUT_PATH = "/_vbp/sign-out"
LOG = logging.getLogger("vbp")


@functools.lru_cache(maxsize=1)
def _store():
    return open_store()


def _same_origin(request: Request) -> bool:
    """Only the app's own pages may ask (a request another site makes the browser send is refused)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    return origin is not None and origin.split("://", 1)[-1] == host


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def _set_cookie(request: Request) -> Response:
    """The page's one-time hand-over code, exchanged for the session cookie."""
    if not _same_origin(request):
        return Response(status_code=403)
    code = (await request.body())[:256].decode("ascii", "replace")
    try:
        token = await run_in_threadpool(sessions.redeem, _store(), code)
    except db.Unavailable:
        return Response(status_code=503)
    if token is None:
        return Response(status_code=403)
    response = Response(status_code=204)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


async def _clear_cookie(request: Request) -> Response:
    """After sign-out: the browser forgets its cookie (the session has already ended in the store)."""
    if not _same_origin(request):
        return Response(status_code=403)
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


def routes() -> list[Route]:
    return [Route(SESSION_PATH, _set_cookie, methods=["POST"]), Route(SIGN_OUT_PATH, _clear_cookie, methods=["POST"])]


def on_script_error(error: Exception) -> bool:
    """An error no page expected: logged with a reference, shown to the user as a message in the language of the
    page (never a traceback or a server path). Returns True: Streamlit shows nothing of its own."""
    from core.present.i18n import t
    from ui.session import language_of_run
    reference = secrets.token_hex(4)
    LOG.error("page error %s", reference, exc_info=error)
    st.error(t("app.error", language_of_run()).format(reference=reference))
    return True
