"""Answers as webservice/rest/server.php writes them: JSON or XML, errors as HTTP 200 with an exception."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pamong_edx.sandbox.core.http import Response, reply

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n'


@dataclass
class MoodleException(Exception):
    """A PHP exception on its way to the client: class, error code, message, and debug info (debugging only)."""

    cls: str
    errorcode: str
    message: str
    debuginfo: str | None = None

    def __str__(self) -> str:
        return f"{self.cls} {self.errorcode}: {self.message}"


def invalid_parameter(debuginfo: str) -> MoodleException:
    return MoodleException("invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected",
                           debuginfo)


def missing_record(table: str) -> MoodleException:
    return MoodleException("dml_missing_record_exception", "invalidrecord",
                           f"Can't find data record in database table {table}.")


def no_permission(capability: str, what: str) -> MoodleException:
    return MoodleException("required_capability_exception", "nopermissions",
                           f"Sorry, but you do not currently have permissions to do that ({what}).",
                           f"{capability}")


def answer(result: Any, fmt: str) -> Response:
    if fmt == "json":
        return reply.body(200, json.dumps(result, ensure_ascii=False).encode("utf-8"), "application/json")
    body = XML_HEAD + "<RESPONSE>\n" + ("" if result is None else _xml(result)) + "</RESPONSE>\n"
    return reply.body(200, body.encode("utf-8"), "application/xml; charset=utf-8")


def error(exc: MoodleException, fmt: str, debugging: bool) -> Response:
    if fmt == "json":
        data = {"exception": exc.cls, "errorcode": exc.errorcode, "message": exc.message}
        if debugging and exc.debuginfo is not None:
            data["debuginfo"] = exc.debuginfo
        return reply.body(200, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")
    body = XML_HEAD + f"<EXCEPTION class={quoteattr(exc.cls)}>\n<ERRORCODE>{escape(exc.errorcode)}</ERRORCODE>\n" \
        f"<MESSAGE>{escape(exc.message)}</MESSAGE>\n"
    if debugging and exc.debuginfo is not None:
        body += f"<DEBUGINFO>{escape(exc.debuginfo)}</DEBUGINFO>\n"
    body += "</EXCEPTION>\n"
    return reply.body(200, body.encode("utf-8"), "application/xml; charset=utf-8")


def _xml(value: Any) -> str:
    if isinstance(value, dict):
        keys = "".join(f"<KEY name={quoteattr(str(k))}>{_xml(v)}</KEY>\n" for k, v in value.items())
        return f"<SINGLE>\n{keys}</SINGLE>\n"
    if isinstance(value, list):
        return "<MULTIPLE>\n" + "".join(_xml(v) for v in value) + "</MULTIPLE>\n"
    if value is None:
        return '<VALUE null="null"/>\n'
    if isinstance(value, bool):
        value = int(value)
    return f"<VALUE>{escape(str(value))}</VALUE>\n"
