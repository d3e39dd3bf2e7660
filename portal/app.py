"""The app factory: config, extensions, blueprints, error pages, security headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from time import monotonic  # the usage meter's clock, apart from the Server-Timing one

from flask import Flask, Response, current_app, g, make_response, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal import assets, i18n, prepared
from portal.container import Services, build_services
from portal.extensions import csrf
from portal.log_redaction import install_log_redaction, redact
from portal.presenters.reasons import register as register_reason_words
from portal.presenters.words import format_word
from portal.settings import Settings, load_settings, resolve_secret_key
from portal.web import services

log = logging.getLogger(__name__)

# Nothing is loaded from another host, and no inline script runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Served over https only (the aws stage refuses an http:// base URL): browsers go on using
# https for two years, and never send the session cookie in clear.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


# Filters of some pages' templates, imported when a template first uses one: the availability
# table's words (portal/templates/_forms.html), and the audit log's details, written by the
# console in English with counts only, in the reader's words.
LAZY_FILTERS = {
    "day_word": "portal.web.signup.forms:day_word",
    "block_word": "portal.web.signup.forms:block_word",
    "slot_word": "portal.web.signup.forms:slot_word",
    "audit_detail": "portal.presenters.audit_details:detail_words",
}


def build_app(
    settings: Settings | None = None,
    services_: Services | None = None,
    routes: Sequence[prepared.Route] | None = None,
) -> Flask:
    """The app; with `routes` (the packaged Lambda's table, portal.prepared), each view is
    imported when first requested and the catalogs are read when first used."""
    settings = resolve_secret_key(
        settings or (services_.settings if services_ else load_settings())
    )
    # Magic-link tokens are in paths, which Flask's error log names: redact them everywhere.
    install_log_redaction()
    https = settings.base_url.startswith("https://")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # The cookie holds a random session id and the CSRF token, nothing personal
        # (portal.web.links). Over https it is Secure and `__Host-`: only this host, over
        # https, set by it, can have it (browsers refuse the prefix without Secure).
        SESSION_COOKIE_NAME="__Host-session" if https else "session",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PORTAL_STRICT_TRANSPORT_SECURITY=STRICT_TRANSPORT_SECURITY if https else None,
        # Generous enough that an over-long field gets a message beside it, not a 413.
        MAX_CONTENT_LENGTH=1024 * 1024,
        WTF_CSRF_TIME_LIMIT=4 * 3600,
        # Behind HTTPS Flask-WTF also wants a same-origin Referer, which browsers never send
        # here (Referrer-Policy: no-referrer keeps magic-link tokens out of Referers and of
        # Zappa's access log): the session-bound token and SameSite cookies guard the forms.
        WTF_CSRF_SSL_STRICT=False,
    )
    app.extensions["portal"] = services_ or build_services(settings, read_content=routes is None)
    if settings.stage != "aws":
        register_server_timing(app)  # first: its clock starts before every other hook
    register_usage(app)
    register_extensions(app)
    assets.register(app)  # /static/ files under names that carry their content's hash
    if routes is None:
        register_blueprints(app, settings)
    else:
        prepared.register(app, routes, csrf.exempt)
        prepared.use_compiled_templates(app)
    register_errorhandlers(app)
    register_template_context(app)
    app.after_request(_security_headers)
    return app


def register_server_timing(app: Flask) -> None:
    """`Server-Timing: app;dur=<ms>` on every response: the portal's own time for the request.

    Measured from the first before-request hook to the last after-request hook, so it leaves
    out the network, the web server and Lambda's start; the load bench reads it. Only a
    duration is told, no description: it says nothing about what the request did. Not in the
    aws stage: a precise server-side time, free of network jitter, would help anyone probing
    whether two requests (a known and an unknown address, say) took different paths.
    """

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    # Registered before the other after-request hooks: Flask runs them in reverse order of
    # registration, so this one runs last and counts them too.
    @app.after_request
    def server_timing(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed:.2f}"
        return response


def register_usage(app: Flask) -> None:
    """Count each request and its time for the costs page; store the counts once a minute."""

    @app.before_request
    def start_usage_clock() -> None:
        # The static site's builder (portal.services.site.BUILDING) asks for pages through
        # the app: no visitor's request, so not one the costs page counts.
        if not request.environ.get("portal.site_build"):
            g.usage_started = monotonic()

    @app.after_request
    def count_request(response: Response) -> Response:
        started = g.get("usage_started")
        if started is not None:
            usage = services().usage
            usage.request_served(monotonic() - started)
            # Before the response leaves: on Lambda the container may be frozen right after.
            usage.flush_if_due()
        return response


def register_extensions(app: Flask) -> None:
    csrf.init_app(app)
    Babel(
        app,
        locale_selector=select_language,
        default_locale=i18n.DEFAULT_LANGUAGE,
        default_translation_directories=str(i18n.TRANSLATIONS),
    )
    # `{% trans %}` blocks are written over several lines: one space between words, as in
    # the catalogue (babel.cfg extracts them trimmed too).
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def select_language() -> str:
    """The language of this response, first found of:

    1. the language chosen in this browser with the footer's menu (the `lang` cookie);
    2. the reader's own, once a view knows who reads (`portal.web.languages.reader_speaks`):
       a participant's or an organizer's saved language;
    3. the best of the browser's Accept-Language that the portal offers;
    4. English.
    """
    chosen = request.cookies.get(i18n.LANGUAGE_COOKIE)
    if i18n.is_offered(chosen):
        return str(chosen)
    reader = g.get("reader_language")
    if i18n.is_offered(reader):
        return str(reader)
    best = request.accept_languages.best_match(list(i18n.LANGUAGES))
    return best or i18n.DEFAULT_LANGUAGE


def register_blueprints(app: Flask, settings: Settings) -> None:
    from portal.web.choose.routes import bp as choose_bp
    from portal.web.group.routes import bp as group_bp
    from portal.web.languages.routes import bp as languages_bp
    from portal.web.me.routes import bp as me_bp
    from portal.web.organize import bp as organize_bp
    from portal.web.pages.routes import bp as pages_bp
    from portal.web.programs.routes import bp as programs_bp
    from portal.web.rate.routes import bp as rate_bp
    from portal.web.signin.routes import bp as signin_bp
    from portal.web.signout.routes import bp as signout_bp
    from portal.web.signup.routes import bp as signup_bp
    from portal.web.unsubscribe.routes import bp as unsubscribe_bp

    app.register_blueprint(programs_bp)
    app.register_blueprint(signup_bp)
    app.register_blueprint(unsubscribe_bp)
    app.register_blueprint(organize_bp)
    app.register_blueprint(choose_bp)
    app.register_blueprint(me_bp)
    app.register_blueprint(group_bp)
    app.register_blueprint(rate_bp)
    app.register_blueprint(signin_bp)
    app.register_blueprint(signout_bp)
    app.register_blueprint(languages_bp)
    if settings.is_local:
        from portal.web.devmail.routes import bp as devmail_bp

        app.register_blueprint(devmail_bp)
    app.register_blueprint(pages_bp)  # last: its /<slug> route is the catch-all


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html", reason=error.description), 400

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error: Exception) -> tuple[str, int]:
        return render_template("errors/405.html"), 405

    @app.errorhandler(413)
    def too_large(error: Exception) -> tuple[str, int]:
        return render_template("errors/413.html"), 413

    @app.errorhandler(429)
    @app.errorhandler(503)
    def come_back_later(error: HTTPException) -> Response:
        # Too many sign-ups (429), or one that stayed busy (503): its page, and how long to
        # wait in Retry-After when the abort named it.
        status = error.code or 503
        seconds = _retry_after_seconds(error)
        response = make_response(render_template(f"errors/{status}.html", seconds=seconds), status)
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return render_template("errors/500.html"), 500


def _retry_after_seconds(error: HTTPException) -> int | None:
    """The seconds a 429 or 503 asks the client to wait (`abort(429, retry_after=seconds)`)."""
    retry_after = getattr(error, "retry_after", None)
    return max(1, retry_after) if isinstance(retry_after, int) else None


def register_template_context(app: Flask) -> None:
    # Reasons are stored as codes: templates put them into words through the one presenter.
    register_reason_words(app.jinja_env)
    app.jinja_env.filters["language_name"] = i18n.language_name
    app.jinja_env.filters["format_word"] = format_word
    for name, target in LAZY_FILTERS.items():
        app.jinja_env.filters[name] = prepared.LazyFunction(target)

    @app.context_processor
    def navigation() -> dict[str, object]:
        portal = services()
        language = i18n.current_language()
        return {
            "nav_pages": portal.pages.navigation(language),
            "all_pages": portal.pages.in_order(language),
            "stage": portal.settings.stage,
            # Flask-Babel 4 does not give templates the locale: `<html lang>` and the menu.
            "current_language": language,
            "languages": i18n.LANGUAGES,
            "language_return_path": _language_return_path(),
        }


def _language_return_path() -> str | None:
    """Where the language menu comes back to: this page, unless its path holds a magic-link
    token (a link's query is not redacted from logs, and the page was single-use anyway)."""
    path = request.path
    return path if redact(path) == path else None


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Magic links carry tokens in the path: never send them on as a Referer.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    hsts = current_app.config["PORTAL_STRICT_TRANSPORT_SECURITY"]
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    if response.mimetype == "text/html":
        # A page's words are in the language chosen from the `lang` cookie or the browser's
        # Accept-Language (select_language): a shared cache must keep one copy per choice.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    if (
        request.path == "/sign-in"
        or request.path.startswith(
            (
                "/confirm/",
                "/dev/",
                "/unsubscribe/",
                "/organize/",
                "/choose/",
                "/me/",
                "/checkin/",
                "/rate/",
            )
        )
        or _opens_an_invitation()
    ):
        headers["Cache-Control"] = "no-store"
    return response


def _opens_an_invitation() -> bool:
    """A roster invitation's link (/programs/<slug>/invited/<token>) or the sign-up form it
    leads to (?invite=<token>): they show what a roster says about someone."""
    return request.path.startswith("/programs/") and (
        "/invited/" in request.path or "invite" in request.args
    )
