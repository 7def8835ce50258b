"""OAuth2 token endpoint, accounts lookup and PATCH, and registration (spec sections 3 and 4)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from functools import partial
from typing import TYPE_CHECKING

from pamong_edx.sandbox.core.http import Request, Response, reply
from pamong_edx.sandbox.openedx.store import User
from pamong_edx.sandbox.openedx.tokens import encode_jwt

if TYPE_CHECKING:
    from pamong_edx.sandbox.openedx.app import OpenEdxApp

EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[A-Za-z]{2,}$")
USERNAME = re.compile(r"^[A-Za-z0-9_-]{2,30}$")
COUNTRIES = {"ID", "MY", "SG", "TL", "PH", "TH", "VN", "US", "GB", "AU", "NL"}
READ_ONLY = {"username", "date_joined", "is_active", "email"}
EDITABLE = {"name", "country", "year_of_birth", "extended_profile"}


def register(app: OpenEdxApp) -> None:
    from pamong_edx.sandbox.openedx.app import ALL_AUTH, View

    app.route(("/oauth2/access_token", "/oauth2/access_token/"),
              View({"POST": partial(access_token, app)}, auth=(), login_required=False), name="/oauth2/access_token")
    app.route("/api/user/v1/me", View({"GET": partial(me, app)}))
    app.route("/api/user/v1/accounts", View({"GET": partial(accounts, app)}))
    app.route("/api/user/v1/accounts/<username>",
              View({"GET": partial(account, app), "PATCH": partial(patch_account, app)}, auth=ALL_AUTH))
    for prefix in ("/api/user/v1", "/api/user/v2", "/user_api/v1", "/user_api/v2"):
        app.route(prefix + "/account/registration/",
                  View({"POST": partial(registration, app)}, auth=(), login_required=False))


# -- OAuth2 ----------------------------------------------------------------------------------------------

def access_token(app: OpenEdxApp, request: Request) -> Response:
    form = {k: v[-1] for k, v in request.form_fields().items()}
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    basic = request.headers.get("Authorization") or ""
    if basic.lower().startswith("basic "):
        try:
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return _oauth_error("invalid_client", 401)
    grant = form.get("grant_type")
    if not grant:
        return _oauth_error("invalid_request", 400, "Missing grant type.")
    if grant != "client_credentials":
        return _oauth_error("unsupported_grant_type", 400)
    row = app.store.app(client_id or "")
    if row is None or not secrets.compare_digest(row["client_secret"], client_secret or ""):
        return _oauth_error("invalid_client", 401)
    user = app.store.user_by_id(row["user_id"])
    token_type = (form.get("token_type") or request.headers.get("X-Token-Type") or "bearer").lower()
    scope = "read write email profile"
    if token_type == "jwt":
        ttl = app.config.token_ttl
        now = int(time.time())
        claims = {
            "iss": f"{request.origin}/oauth2", "aud": "openedx", "iat": now, "exp": now + ttl,
            "preferred_username": user.username, "administrator": user.is_staff or user.is_superuser,
            "email": user.email, "email_verified": user.is_active, "name": user.name,
            "scopes": scope.split(), "is_restricted": False, "filters": [], "version": "1.2.0",
            "jti": secrets.token_hex(8),
        }
        token = encode_jwt(claims, app.store.setting("jwt_key") or "")
        return reply.json({"access_token": token, "token_type": "JWT", "expires_in": ttl, "scope": scope})
    token = secrets.token_urlsafe(22)
    with app.store.db.write() as conn:
        conn.execute("INSERT INTO bearer_tokens VALUES (?, ?, ?)", (token, user.id, time.time() + app.config.bearer_ttl))
    return reply.json({"access_token": token, "token_type": "Bearer", "expires_in": app.config.bearer_ttl,
                          "scope": scope})


def _oauth_error(error: str, status: int, description: str | None = None) -> Response:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return reply.json(body, status)


# -- accounts --------------------------------------------------------------------------------------------

def me(app: OpenEdxApp, request: Request) -> Response:
    return reply.json({"username": request.context["user"].username})


def serialize_account(app: OpenEdxApp, user: User, viewer: User | None) -> dict:
    if viewer is None or not (viewer.is_staff or viewer.is_superuser or viewer.id == user.id):
        # ACCOUNT_VISIBILITY_CONFIGURATION's shared subset: no email
        return {"username": user.username, "account_privacy": "private",
                "profile_image": {"has_image": False}}
    visible = set(app.config.extended_profile_fields)
    extended = [{"field_name": k, "field_value": v} for k, v in sorted(user.meta.items()) if k in visible]
    return {
        "username": user.username, "name": user.name, "email": user.email, "is_active": user.is_active,
        "date_joined": user.date_joined, "country": user.country, "year_of_birth": user.year_of_birth,
        "extended_profile": extended, "account_privacy": "private", "profile_image": {"has_image": False},
    }


def accounts(app: OpenEdxApp, request: Request) -> Response:
    viewer = request.context["user"]
    usernames, email = request.arg("username"), request.arg("email")
    if usernames:
        found = [app.store.user_by_username(u.strip()) for u in usernames.split(",") if u.strip()]
    elif email:
        found = [app.store.user_by_email(email.strip())]
    else:
        return reply.json({"developer_message": "username or email is required"}, 400)
    found = [u for u in found if u is not None]
    if not found:
        return reply.empty(404)  # a bare 404, not an empty list
    return reply.json([serialize_account(app, u, viewer) for u in found])


def account(app: OpenEdxApp, request: Request) -> Response:
    user = app.store.user_by_username(request.params["username"])
    if user is None:
        return reply.empty(404)
    return reply.json(serialize_account(app, user, request.context["user"]))


def patch_account(app: OpenEdxApp, request: Request) -> Response:
    if request.mimetype != "application/merge-patch+json":
        shown = request.headers.get("Content-Type") or ""
        return reply.json({"detail": f'Unsupported media type "{shown}" in request.'}, 415)
    user = app.store.user_by_username(request.params["username"])
    if user is None:
        return reply.empty(404)
    if user.id != request.context["user"].id:  # only the owner, staff included
        return reply.empty(403)
    changes = request.json_body()
    if not isinstance(changes, dict):
        return reply.json({"developer_message": "expected a JSON object"}, 400)
    errors = {}
    for key in changes:
        if key in READ_ONLY or key not in EDITABLE:
            errors[key] = {"developer_message": "This field is not editable via this API",
                           "user_message": f"The '{key}' field cannot be edited."}
    if "country" in changes and changes["country"] not in COUNTRIES | {None, ""}:
        errors["country"] = {"developer_message": f"{changes['country']} is not a valid country code",
                             "user_message": "Select a valid country."}
    if errors:
        return reply.json({"field_errors": errors}, 400)
    fields: dict = {}
    if "name" in changes:
        fields["name"] = str(changes["name"])
    if "country" in changes:
        fields["country"] = changes["country"] or None
    if "year_of_birth" in changes:
        fields["year_of_birth"] = changes["year_of_birth"]
    if "extended_profile" in changes:
        meta = dict(user.meta)  # stored unfiltered; read back only for extended_profile_fields
        for item in changes["extended_profile"] or []:
            meta[str(item.get("field_name"))] = item.get("field_value")
        fields["meta"] = json.dumps(meta)
    app.store.update_user(user.id, **fields)
    return reply.json(serialize_account(app, app.store.user_by_id(user.id), request.context["user"]))


# -- registration ----------------------------------------------------------------------------------------

def registration(app: OpenEdxApp, request: Request) -> Response:
    wait = app.registration_limits.hit(f"ip:{request.client}", app.config.registration_rate)
    if wait is not None:
        return reply.json({"error_code": "forbidden-request"}, 403)  # django-ratelimit: 403, not 429
    form = {k: v[-1] for k, v in request.form_fields().items()}  # request.POST: empty for a JSON body
    errors: dict[str, list[dict]] = {}

    def problem(name: str, message: str) -> None:
        errors.setdefault(name, []).append({"user_message": message})

    for name, label in (("email", "email"), ("name", "full name"), ("username", "username"), ("password", "password")):
        if not form.get(name):
            problem(name, f"Enter your {label}.")
    if form.get("email") and not EMAIL.match(form["email"]):
        problem("email", "A properly formatted e-mail is required")
    if form.get("username") and not USERNAME.match(form["username"]):
        problem("username", "Usernames can only contain letters (A-Z, a-z), numerals (0-9), underscores (_), "
                            "and hyphens (-), 2 to 30 characters.")
    if form.get("password") and not 2 <= len(form["password"]) <= 75:
        problem("password", "This password must be between 2 and 75 characters.")
    if form.get("password") and form.get("username") and form["password"].lower() == form["username"].lower():
        problem("password", "The password is too similar to the username.")
    honor = form.get("honor_code") or form.get("terms_of_service")
    if str(honor).lower() != "true":
        problem("honor_code", "You must agree to the Honor Code")
    if form.get("country") and form["country"] not in COUNTRIES:
        problem("country", "Select your country or region of residence.")
    if errors:
        code = "invalid-country" if set(errors) == {"country"} else "validation-error"
        return reply.json({**errors, "error_code": code}, 400)
    taken_email = app.store.user_by_email(form["email"]) is not None
    taken_name = app.store.user_by_username(form["username"]) is not None
    if taken_email or taken_name:
        body: dict = {}
        if taken_email:
            body["email"] = [{"user_message": f"It looks like {form['email']} belongs to an existing account. "
                                              "Try again with a different email address."}]
        if taken_name:
            body["username"] = [{"user_message": f"It looks like {form['username']} belongs to an existing account. "
                                                 "Try again with a different username."}]
            body["username_suggestions"] = [f"{form['username']}{n}" for n in (1, 2, 3)]
        body["error_code"] = ("duplicate-email-username" if taken_email and taken_name
                              else "duplicate-email" if taken_email else "duplicate-username")
        return reply.json(body, 409)
    extra = {k: v for k, v in form.items() if k in app.config.extended_profile_fields}
    user = app.store.create_user(
        form["username"], form["email"], form["name"], password=form["password"],
        is_active=app.config.skip_email_validation, meta=extra, country=form.get("country") or None,
    )
    from pamong_edx.sandbox.openedx.enrollment import apply_allowed

    apply_allowed(app, user)
    # It logs the caller's session in as the new user: an API client must not keep this cookie.
    return start_session(app, user.id, reply.json({"success": True, "redirect_url": "/dashboard"}))


def start_session(app: OpenEdxApp, user_id: int, response: Response) -> Response:
    """Log `user_id` in on this response: Django's session cookie and its CSRF cookie."""
    session, csrf = secrets.token_hex(16), secrets.token_hex(16)
    with app.store.db.write() as conn:
        conn.execute("INSERT INTO sessions VALUES (?, ?, ?)", (session, user_id, csrf))
    response.set_cookie("sessionid", session, path="/", httponly=True)
    response.set_cookie("csrftoken", csrf, path="/")
    return response
