# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: parsers for Sophos Linux status files and outputs.

Pure functions over text already read by a probe: Sophos Protection for Linux (SPL) status XML/JSON,
VERSION.ini and update reports, and the legacy Sophos Anti-Virus (SAV) command outputs. Every parser
returns ``(value, error)``: ``error`` is a short reason string when the text could not be understood,
and the value is then ``None``. Nothing here raises on bad input. Python 3.8+, stdlib only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import re
import xml.etree.ElementTree as ET

# Sophos writes the update report stamps ("20180822 121220") in the host's local time.
REPORT_STAMP = re.compile(r"(\d{8} \d{6})")


def _local_name(tag):
    # ALC_status.xml mixes several default namespaces; the element names alone are unambiguous.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else tag


def parse_xml(text):
    """Parse XML text with every namespace stripped from tags and attributes."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return None, "invalid XML: %s" % exc
    except (TypeError, ValueError) as exc:
        return None, "invalid XML: %s" % exc
    for elem in root.iter():
        elem.tag = _local_name(elem.tag)
        if any("}" in k for k in elem.attrib):
            elem.attrib = dict((_local_name(k), v) for k, v in elem.attrib.items())
    return root, None


def parse_json_object(text):
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        return None, "invalid JSON: %s" % exc
    if not isinstance(data, dict):
        return None, "invalid JSON: expected an object, got %s" % type(data).__name__
    return data, None


def parse_version_ini(text):
    """VERSION.ini: ``KEY = value`` lines; returns the dict of keys."""
    values = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    if "PRODUCT_VERSION" not in values:
        return None, "no PRODUCT_VERSION line"
    return values, None


def _text(elem, path):
    found = elem.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def parse_alc_status(text):
    """ALC_status.xml → {reboot_required, reboot_urgent, download_state, download_failed_since,
    install_state, last_good, products: [{name, downloaded_version, installed_version}]}.

    Flags are None when the element is absent (SPL hard-codes ``required`` to ``no`` today)."""
    root, err = parse_xml(text)
    if err:
        return None, err
    if root.tag != "status":
        return None, "unexpected root element <%s>, expected <status>" % root.tag
    auto = root.find("autoUpdate")
    if auto is None:
        return None, "no <autoUpdate> element"

    def flag(path):
        value = _text(auto, path)
        if value is None:
            return None
        return value.lower() in ("yes", "true", "1")

    products = []
    for prod in root.findall("products/product"):
        products.append({
            "name": prod.get("productName") or prod.get("rigidName"),
            "rigid_name": prod.get("rigidName"),
            "downloaded_version": prod.get("downloadedVersion"),
            "installed_version": prod.get("installedVersion"),
        })
    return {
        "reboot_required": flag("rebootState/required"),
        "reboot_urgent": flag("rebootState/urgent"),
        "download_state": _text(auto, "downloadState/state"),
        "download_failed_since": _text(auto, "downloadState/failedSince"),
        "install_state": _text(auto, "installState/state"),
        "last_good": _text(auto, "installState/lastGood"),
        "products": products,
    }, None


def parse_shs_status(text):
    """SHS_status.xml → {items: {name: int}, details: {item: {detail name: int}}}."""
    root, err = parse_xml(text)
    if err:
        return None, err
    if root.tag != "health":
        return None, "unexpected root element <%s>, expected <health>" % root.tag
    items, details = {}, {}
    for item in root.findall("item"):
        name = item.get("name")
        if not name:
            continue
        items[name] = to_int(item.get("value"))
        details[name] = dict((d.get("name"), to_int(d.get("value"))) for d in item.findall("detail") if d.get("name"))
    if not items:
        return None, "no <item> elements"
    return {"items": items, "details": details}, None


def parse_update_report(text):
    """An update_report*.json → {status, start, finish, products, supplement_only}; stamps stay local."""
    data, err = parse_json_object(text)
    if err:
        return None, err
    status = data.get("status")
    if not isinstance(status, str) or not status:
        return None, "no status field"
    products = []
    for prod in data.get("products") or []:
        if isinstance(prod, dict):
            products.append({"name": prod.get("rigidName") or prod.get("productName"),
                             "status": prod.get("productStatus")})
    return {
        "status": status.upper(),
        "start": data.get("startTime") if isinstance(data.get("startTime"), str) else None,
        "finish": data.get("finishTime") if isinstance(data.get("finishTime"), str) else None,
        "products": products,
        "supplement_only": data.get("supplementOnlyUpdate") is True,
        "error": data.get("errorDescription") or data.get("sulError") or None,
    }, None


def to_int(value):
    """An int from DWORD/QWORD numbers, numeric strings and booleans; None otherwise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            return None
    return None


def parse_sav_version(stdout):
    """``savdstatus --version`` → {version, last_update (text as printed)}."""
    values = {}
    for line in (stdout or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    version = values.get("sophos anti-virus") or values.get("product version")
    if not version:
        return None, "no 'Sophos Anti-Virus = <version>' line"
    return {"version": version, "engine": values.get("engine version"),
            "last_update_text": values.get("last update")}, None


def parse_sav_status(stdout):
    """``savdstatus -v`` → {daemon: running|stopped|None, on_access: running|stopped|None}."""
    text = (stdout or "").lower()
    result = {"daemon": None, "on_access": None}
    daemon = re.search(r"anti-virus (?:daemon )?is (not running|inactive|active|running)", text)
    if daemon:
        result["daemon"] = "running" if daemon.group(1) in ("active", "running") else "stopped"
    access = re.search(r"on-access scanning is (not running|running)", text)
    if access:
        result["on_access"] = "running" if access.group(1) == "running" else "stopped"
    if result["daemon"] is None and result["on_access"] is None:
        return None, "no daemon or on-access status line"
    return result, None
