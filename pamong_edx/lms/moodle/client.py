"""Calling Moodle's REST web services: one POST per function, answers read as JSON, errors typed.

Each call is `POST {site}/webservice/rest/server.php?wsfunction=NAME&moodlewsrestformat=json` with the token and
the parameters in the form body (bracket-encoded, see wire.py). The function name rides in the query string so
access logs and the request meter can tell calls apart; the token never does. Moodle answers errors with
HTTP 200 and `{"exception", "errorcode", "message"[, "debuginfo"]}` (or `<EXCEPTION>` in XML), so every answer is
checked for that shape and turned into the toolkit's typed errors.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree

from pamong_edx.i18n import N_, _
from pamong_edx.lms.answers import Reply, decode_json, expect, snippet
from pamong_edx.lms.errors import AuthError, BadAnswer, InvalidInput, LmsError, NotFound, PermissionDenied, ServerError
from pamong_edx.lms.http import Transport
from pamong_edx.lms.moodle.wire import flatten

log = logging.getLogger("pamong_edx.lms.moodle")

SERVER = "/webservice/rest/server.php"
MANAGE_TOKENS = "Site administration > Server > Web services > Manage tokens"
SERVICES = "Site administration > Server > Web services > External services"

AUTH_CODES = {"invalidtoken", "invalidlogin", "usernotconfirmed", "passwordisexpired", "wsaccessusersuspended",
              "wsaccessuserdeleted", "wsaccessusernologin", "wsaccessuserunconfirmed"}
DENIED_CODES = {"accessexception", "nopermissions", "wsusercannotassign", "wscannotenrol", "servicenotavailable",
                "enablewsdescription", "sitemaintenance", "requireloginerror", "usernotallowed",
                "missingrequiredcapability"}
NOT_FOUND_CODES = {"invalidrecord", "wsnoinstance", "unknowcategory", "invalidcourseid"}
INPUT_CODES = {"invalidparameter", "errorinvalidparam"}
DATABASE_CODES = {"dmlwriteexception", "dmlreadexception", "ddlexecuteerror", "dbconnectionfailed",
                  "dmltransactionexception"}
# Functions that change nothing (every call is a POST: the request count needs telling).
READS = frozenset({"core_webservice_get_site_info", "core_user_get_users_by_field", "core_user_get_users",
                   "core_course_get_courses_by_field", "core_enrol_get_enrolled_users", "core_cohort_search_cohorts",
                   "gradereport_user_get_grade_items"})
# What to do about an error code (translated by fix()). Moodle's menu names stay as its English pages show them.
FIXES = {
    "invalidtoken": N_("the token is wrong or expired: make one in {tokens} and put it in the profile's secret "
                       "variable"),
    "accessexception": N_("the token's service lacks this function, or web services or the REST protocol are off: "
                          "add it in {services} > Functions (and check Advanced features > Enable web services, "
                          "and Manage protocols > REST)"),
    "nopermissions": N_("the web-service user's role lacks a capability: Site administration > Users > "
                        "Permissions > Define roles"),
    "wsusercannotassign": N_("the web-service user may not assign this role: allow it under Define roles > Allow "
                             "role assignments, or set the role id in the profile's roles table"),
    "wsnoinstance": N_("add the Manual enrolments method to the course (Course > Participants > Enrolment methods) "
                       "and enable it"),
}


def fix(code: str) -> str:
    """What to do about a Moodle error code, in the user's language."""
    return _(FIXES[code]).format(tokens=MANAGE_TOKENS, services=SERVICES)


def moodle_error(function: str, body: dict) -> LmsError:
    """The typed error for an `exception` answer; the message names the function and Moodle's own words
    (kept apart, too, as `.platform_message` and `.debuginfo`, for reports about one record)."""
    error = _typed_error(function, body)
    error.platform_message = str(body.get("message") or "")
    error.debuginfo = str(body.get("debuginfo")).strip() if body.get("debuginfo") else None
    return error


def _typed_error(function: str, body: dict) -> LmsError:
    code = str(body.get("errorcode") or "")
    cls = str(body.get("exception") or "")
    text = str(body.get("message") or cls or "error")
    debug = body.get("debuginfo")
    message = f"{function}: {text}"
    if debug:
        message += f" ({str(debug).strip()})"
    message += f" [{code or cls}]"
    if code in FIXES:
        message += f"; {fix(code)}"
    if code in AUTH_CODES:
        return AuthError(message, status=200, code=code)
    if code in DENIED_CODES or cls in ("required_capability_exception", "webservice_access_exception"):
        return PermissionDenied(message, status=200, code=code)
    if code in NOT_FOUND_CODES or cls == "dml_missing_record_exception":
        return NotFound(message, status=200, code=code)
    if code in INPUT_CODES or cls == "invalid_parameter_exception":
        return InvalidInput(message, status=200, code=code)
    if code in DATABASE_CODES or cls.startswith("dml_"):
        # The call ran in one transaction that was rolled back: nothing was applied.
        return ServerError(message, status=200, code=code, maybe_applied=False)
    return LmsError(message, status=200, code=code)


def xml_error(function: str, text: str) -> LmsError:
    """An answer in XML: read an <EXCEPTION>, else say the format was not honoured."""
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        root = None
    if root is not None and root.tag == "EXCEPTION":
        return moodle_error(function, {"exception": root.get("class", ""), "errorcode": root.findtext("ERRORCODE"),
                                       "message": root.findtext("MESSAGE"), "debuginfo": root.findtext("DEBUGINFO")})
    return LmsError(_("{function}: Moodle answered in XML although JSON was asked (moodlewsrestformat=json); a "
                      "proxy may drop the query string: check that lms_url reaches Moodle directly").format(
        function=function))


class WsClient:
    """Calls web-service functions with one token over one Transport (retries, timeouts, TLS)."""

    def __init__(self, base_url: str, token: str, http: Transport) -> None:
        self.endpoint = base_url + SERVER
        self._token = token
        self.http = http
        http.add_secret(token)

    def __repr__(self) -> str:
        return f"WsClient({self.endpoint!r})"  # never the token

    def call(self, function: str, params: dict[str, Any] | None = None, *, idempotent: bool,
             shape: Any = object) -> Any:
        """The function's answer, checked against `shape` (lms/answers.py); a Moodle exception as a typed error."""
        body = [("wstoken", self._token), *flatten(params or {})]
        try:
            reply = self.http.request("POST", self.endpoint, idempotent=idempotent, data=body,
                                      params={"wsfunction": function, "moodlewsrestformat": "json"},
                                      changes=function not in READS)
        except NotFound as exc:
            raise NotFound(_("{error}: is lms_url the Moodle site's address (the part before /login/index.php)?")
                           .format(error=exc), status=404) from None
        return expect(self._read(function, reply), shape, function)

    def _read(self, function: str, reply: Reply) -> Any:
        text = self.http.redact(reply.text)  # an error page may quote what it was sent: never the token
        if text.lstrip()[:1] == "<" and "Input variables exceeded" not in text:
            raise xml_error(function, text.lstrip())
        try:
            data = decode_json(text, function, reply.max_depth)
        except BadAnswer as exc:
            if "Input variables exceeded" in text:
                raise LmsError(_("{function}: PHP dropped fields past max_input_vars ({snippet}); lower "
                                 "max_input_vars in the profile's moodle table to the site's value")
                               .format(function=function, snippet=snippet(text, 160))) from None
            raise BadAnswer(str(exc), status=reply.status, maybe_applied=True) from None
        if isinstance(data, dict) and "exception" in data:
            error = moodle_error(function, data)
            log.debug("%s -> %s", function, error.code)
            raise error
        return data
