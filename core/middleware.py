from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils import translation

from . import language_session as languages


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's, asking about the view before the user: a view open to all (``/healthz``, the
    login page) never loads the session's user, so it answers even with the database down."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class UserLanguageMiddleware:
    """After ``LocaleMiddleware`` (the browser's choice) and the session: the language a logged-in
    user chose (``core.languages``, copied into the session at login) wins, read without a
    query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        code = session.get(languages.SESSION_KEY) if session is not None else None
        if code and languages.known(code):
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
