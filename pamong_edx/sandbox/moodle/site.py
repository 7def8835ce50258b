"""core_webservice_get_site_info: who the token belongs to and exactly which functions it may call."""

from __future__ import annotations

from pamong_edx.sandbox.moodle.calls import Call, Function
from pamong_edx.sandbox.moodle.params import DEFAULT, Multiple, Single, Value

INFO = Single({"serviceshortnames": Multiple(Value("alphanumext"), need=DEFAULT)})


def get_site_info(call: Call, params: dict) -> dict:
    user, settings = call.caller, call.settings
    return {
        "sitename": settings.sitename, "username": user["username"], "firstname": user["firstname"],
        "lastname": user["lastname"], "fullname": f"{user['firstname']} {user['lastname']}", "lang": user["lang"],
        "userid": user["id"], "siteurl": call.base_url,
        "userpictureurl": f"{call.base_url}/theme/image.php/boost/core/1/u/f1",
        "functions": [{"name": name, "version": settings.version} for name in sorted(call.functions)],
        "downloadfiles": 0, "uploadfiles": 0, "release": settings.release, "version": settings.version,
        "mobilecssurl": "", "advancedfeatures": [{"name": "usecomments", "value": 1}, {"name": "usetags", "value": 1}],
        "usercanmanageownfiles": True, "userquota": 0, "usermaxuploadfilesize": 0, "userhomepage": 1,
        "userprivateaccesskey": "", "siteid": 1, "sitecalendartype": "gregorian", "usercalendartype": "gregorian",
        "userissiteadmin": bool(user["siteadmin"]), "theme": "boost",
    }


FUNCTIONS = {"core_webservice_get_site_info": Function(INFO, get_site_info, writes=False)}
