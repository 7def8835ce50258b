"""imsmanifest.xml for SCORM 1.2 and SCORM 2004 4th edition, and the checks the XSDs cannot make.

Written to the contract in shared/specs/scorm.md §1 and §5: CP elements in the default namespace, extension
prefixes exactly adlcp/imsss/adlnav/adlseq (Moodle matches prefixed names literally), the exact schemaversion,
no inline IMS metadata, literal UTF-8 text, identifiers that are valid and unique, every reference resolved.

Identifiers carry a prefix per kind (MANIFEST-, ORG-, ITEM-, RES-, SHARED-) so they are valid xs:IDs even for
source ids that start with a digit, and never collide across kinds. Item identifiers follow the course's stable
ids, so a re-upload keeps learners' tracking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from pamong_edx.exporters.scorm_plan import Plan, TocNode
from pamong_edx.exporters.scorm_runtime import mastery_score

XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {
    "1.2": {
        "cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    },
    "2004": {
        "cp": "http://www.imsglobal.org/xsd/imscp_v1p1",
        "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
        "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
        "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
        "imsss": "http://www.imsglobal.org/xsd/imsss",
    },
}
SCHEMA_FILES = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
    "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
    "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
    "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
}
SCHEMA_VERSION = {"1.2": "1.2", "2004": "2004 4th Edition"}
SCORM_TYPE_ATTR = {"1.2": "scormtype", "2004": "scormType"}
METADATA_NAMESPACES = {  # inline metadata the toolkit never writes (libxml2 cannot validate IMS MD 1.2.1)
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": "imsmd",
    "http://ltsc.ieee.org/xsd/LOM": "lom",
}
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
TITLE_MAX = 200  # the 1.2 CP limit; 2004 has none, but LMS tables do
SHARED_ID = "SHARED-player"


@dataclass
class ResourceFiles:
    href: str  # the launch file
    files: list[str]  # every file the SCO uses besides the shared ones, launch file first


def _title(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


class _Writer:
    def __init__(self, version: str):
        self.version = version
        self.ns = NS[version]

    def cp(self, parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        q = f"{{{self.ns['cp']}}}{tag}"
        el = etree.Element(q, nsmap=self.nsmap()) if parent is None else etree.SubElement(parent, q)
        for k, v in attrs.items():
            el.set(k, v)
        if text is not None:
            el.text = text
        return el

    def ext(self, parent: etree._Element, prefix: str, tag: str, text: str | None = None,
            **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{self.ns[prefix]}}}{tag}")
        for k, v in attrs.items():
            el.set(k, v)
        if text is not None:
            el.text = text
        return el

    def nsmap(self) -> dict[str | None, str]:
        m: dict[str | None, str] = {None: self.ns["cp"]}
        m.update({p: uri for p, uri in self.ns.items() if p != "cp"})
        m["xsi"] = XSI
        return m

    def schema_location(self) -> str:
        return " ".join(f"{uri} {SCHEMA_FILES[uri]}" for uri in self.ns.values())


def build_manifest(
    *, slug: str, title: str, plan: Plan, version: str, resources: dict[str, ResourceFiles], shared: list[str],
    overlay: str = "",
) -> bytes:
    """The manifest for `plan`; `resources` maps each SCO key to its files, `shared` lists the player files;
    `overlay` names the deployment overlay the course was built with (an XML comment in the metadata)."""
    w = _Writer(version)
    manifest = w.cp(None, "manifest", identifier=f"MANIFEST-{slug}", version="1.0")
    manifest.set(f"{{{XSI}}}schemaLocation", w.schema_location())
    metadata = w.cp(manifest, "metadata")
    w.cp(metadata, "schema", "ADL SCORM")
    w.cp(metadata, "schemaversion", SCHEMA_VERSION[version])
    if overlay:
        metadata.append(etree.Comment(f" pamong-edx deployment overlay: {overlay.replace('--', '- -')} "))

    org_id = f"ORG-{slug}"
    organizations = w.cp(manifest, "organizations", default=org_id)
    organization = w.cp(organizations, "organization", identifier=org_id)
    w.cp(organization, "title", _title(title))
    for node in plan.toc:
        _item(w, organization, node)
    if version == "2004":  # let spec LMSs offer Continue/Previous between SCOs as well as the menu
        seq = w.ext(organization, "imsss", "sequencing")
        w.ext(seq, "imsss", "controlMode", choice="true", flow="true")

    res_root = w.cp(manifest, "resources")
    scorm_type = f"{{{w.ns['adlcp']}}}{SCORM_TYPE_ATTR[version]}"
    for sco in plan.scos:
        files = resources[sco.key]
        res = w.cp(res_root, "resource", identifier=f"RES-{sco.key}", type="webcontent", href=files.href)
        res.set(scorm_type, "sco")
        for name in files.files:
            w.cp(res, "file", href=name)
        w.cp(res, "dependency", identifierref=SHARED_ID)
    res = w.cp(res_root, "resource", identifier=SHARED_ID, type="webcontent")
    res.set(scorm_type, "asset")
    for name in shared:
        w.cp(res, "file", href=name)
    body = etree.tostring(manifest, xml_declaration=False, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _item(w: _Writer, parent: etree._Element, node: TocNode) -> None:
    attrs = {"identifier": f"ITEM-{node.key}"}
    if node.sco is not None:
        attrs["identifierref"] = f"RES-{node.sco.key}"
    item = w.cp(parent, "item", **attrs)
    w.cp(item, "title", _title(node.title))
    for child in node.children:
        _item(w, item, child)
    if node.sco is None:
        if w.version == "2004":
            seq = w.ext(item, "imsss", "sequencing")
            w.ext(seq, "imsss", "controlMode", choice="true", flow="true")
        return
    pass_mark = node.sco.pass_mark
    if w.version == "1.2":
        if pass_mark is not None:
            w.ext(item, "adlcp", "masteryscore", str(mastery_score(pass_mark)))
        return
    seq = w.ext(item, "imsss", "sequencing")
    if pass_mark is not None:
        objectives = w.ext(seq, "imsss", "objectives")
        primary = w.ext(objectives, "imsss", "primaryObjective", objectiveID=f"OBJ-{node.sco.key}",
                        satisfiedByMeasure="true")
        w.ext(primary, "imsss", "minNormalizedMeasure", _measure(pass_mark))
    w.ext(seq, "imsss", "deliveryControls", completionSetByContent="true", objectiveSetByContent="true")


def _measure(fraction: float) -> str:
    text = f"{fraction:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


# ------------------------------------------------------------------------------------------------- checks


def check_manifest(xml: bytes, version: str, package_files: set[str] | None = None) -> list[str]:
    """Everything §5 of the SCORM contract asks that the XSDs do not check. Empty when the manifest is sound.

    `package_files` (names in the zip) also checks that every listed file and launch href exists.
    """
    problems: list[str] = []
    if b"&#" in xml:
        problems.append("numeric character reference (&#...;): Moodle's parser shows it literally; write UTF-8 text")
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError as exc:
        return problems + [f"not UTF-8: {exc}"]
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return problems + [f"not well-formed XML: {exc}"]

    ns = NS[version]
    cp = ns["cp"]
    expected_prefix = {uri: p for p, uri in ns.items() if p != "cp"}
    for other in NS.values():  # the other version's namespaces, under their usual prefixes, are mistakes too
        for p, uri in other.items():
            if p != "cp":
                expected_prefix.setdefault(uri, p)

    if root.tag != f"{{{cp}}}manifest":
        problems.append(f"root element is {root.tag}, expected manifest in {cp}")
        return problems
    for el in root.iter(etree.Element):
        uri = etree.QName(el).namespace
        if uri == cp and el.prefix is not None:
            problems.append(f"CP element <{el.prefix}:{etree.QName(el).localname}> is prefixed; "
                            f"Moodle reads only unprefixed CP names")
        if uri in expected_prefix and el.prefix != expected_prefix[uri]:
            problems.append(f"prefix '{el.prefix}' for {uri}; Moodle recognises only '{expected_prefix[uri]}'")
        if uri in METADATA_NAMESPACES:
            problems.append(f"inline {METADATA_NAMESPACES[uri]} metadata <{etree.QName(el).localname}>; leave it out")
        for name in el.attrib:
            a_uri = etree.QName(name).namespace
            if a_uri in expected_prefix:
                prefix = next((p for p, u in el.nsmap.items() if u == a_uri), None)
                if prefix != expected_prefix[a_uri]:
                    problems.append(f"attribute prefix '{prefix}' for {a_uri}; "
                                    f"Moodle recognises only '{expected_prefix[a_uri]}'")
        if uri == cp and etree.QName(el).localname == "title" and len(el.text or "") > TITLE_MAX:
            problems.append(f"title longer than {TITLE_MAX} characters: {el.text[:40]}…")

    def q(tag: str) -> str:
        return f"{{{cp}}}{tag}"

    schema = root.findtext(f"{q('metadata')}/{q('schema')}")
    schemaversion = root.findtext(f"{q('metadata')}/{q('schemaversion')}")
    if schema != "ADL SCORM":
        problems.append(f"metadata/schema is {schema!r}, expected 'ADL SCORM'")
    if schemaversion != SCHEMA_VERSION[version]:
        problems.append(f"metadata/schemaversion is {schemaversion!r}, expected exactly {SCHEMA_VERSION[version]!r} "
                        f"(Moodle compares it untrimmed)")

    ids: dict[str, str] = {}
    for el in root.iter(q("manifest"), q("organization"), q("item"), q("resource")):
        ident = el.get("identifier")
        kind = etree.QName(el).localname
        if not ident:
            problems.append(f"<{kind}> without identifier")
            continue
        if not ID_PATTERN.match(ident):
            problems.append(f"{kind} identifier {ident!r} is not of the form [A-Za-z_][A-Za-z0-9_.-]*")
        if ident in ids:
            problems.append(f"identifier {ident!r} used twice ({ids[ident]} and {kind})")
        ids[ident] = kind

    organizations = root.find(q("organizations"))
    orgs = {o.get("identifier") for o in root.iter(q("organization"))}
    if organizations is None or not orgs:
        problems.append("no organization")
    elif organizations.get("default") not in orgs:
        problems.append(f"organizations/@default {organizations.get('default')!r} names no organization")
    for org in root.iter(q("organization")):
        if org.find(q("item")) is None:
            problems.append(f"organization {org.get('identifier')!r} holds no item")

    resources = {r.get("identifier"): r for r in root.iter(q("resource"))}
    scorm_type = f"{{{ns['adlcp']}}}{SCORM_TYPE_ATTR[version]}"
    wrong_type = f"{{{ns['adlcp']}}}{SCORM_TYPE_ATTR['2004' if version == '1.2' else '1.2']}"
    for item in root.iter(q("item")):
        ident = item.get("identifier")
        ref = item.get("identifierref")
        has_children = item.find(q("item")) is not None
        if has_children and ref:
            problems.append(f"item {ident!r} has child items and an identifierref; only leaves launch")
        if not has_children and not ref:
            problems.append(f"leaf item {ident!r} has no identifierref")
        if ref:
            res = resources.get(ref)
            if res is None:
                problems.append(f"item {ident!r} refers to missing resource {ref!r}")
            elif not res.get("href"):
                problems.append(f"resource {ref!r} launched by item {ident!r} has no href")
            elif res.get(scorm_type) != "sco":
                problems.append(f"resource {ref!r} launched by item {ident!r} "
                                f"is not adlcp:{SCORM_TYPE_ATTR[version]}=\"sco\"")
        if not (item.findtext(q("title")) or "").strip():
            problems.append(f"item {ident!r} has no title")
        if version == "1.2":
            for mastery in item.iter(f"{{{ns['adlcp']}}}masteryscore"):
                if not re.fullmatch(r"\d{1,3}", mastery.text or "") or int(mastery.text) > 100:
                    problems.append(f"item {ident!r}: masteryscore {mastery.text!r} is not a whole number 0-100")

    for ident, res in resources.items():
        if res.get(scorm_type) not in ("sco", "asset"):
            problems.append(f"resource {ident!r} lacks adlcp:{SCORM_TYPE_ATTR[version]} "
                            f"(Moodle would treat it as an asset)")
        if res.get(wrong_type) is not None:
            problems.append(f"resource {ident!r} uses adlcp:{SCORM_TYPE_ATTR['2004' if version == '1.2' else '1.2']}, "
                            f"the other version's spelling")
        for dep in res.iter(q("dependency")):
            if dep.get("identifierref") not in resources:
                problems.append(f"resource {ident!r} depends on missing resource {dep.get('identifierref')!r}")
        if package_files is not None:
            href = (res.get("href") or "").split("?")[0].split("#")[0]
            if href and href not in package_files:
                problems.append(f"resource {ident!r} launches {href!r}, which is not in the package")
            for f in res.iter(q("file")):
                if f.get("href") not in package_files:
                    problems.append(f"resource {ident!r} lists {f.get('href')!r}, which is not in the package")

    if version == "2004":
        imsss = ns["imsss"]
        for tag in ("primaryObjective", "objective"):
            for obj in root.iter(f"{{{imsss}}}{tag}"):
                measure = obj.findtext(f"{{{imsss}}}minNormalizedMeasure")
                if measure is None:
                    problems.append(f"objective {obj.get('objectiveID')!r} without minNormalizedMeasure "
                                    f"(Moodle would require a perfect score)")
                else:
                    try:
                        if not -1 <= float(measure) <= 1:
                            raise ValueError
                    except ValueError:
                        problems.append(f"objective {obj.get('objectiveID')!r}: "
                                        f"minNormalizedMeasure {measure!r} is not within -1..1")
        for el in root.iter(f"{{{ns['adlcp']}}}completionThreshold"):
            if (el.text or "").strip():
                problems.append("adlcp:completionThreshold carries text; the 4th edition uses attributes")
    return problems
