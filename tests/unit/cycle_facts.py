"""Facts and cycle states built by hand that the _cycle test modules share (tests/unit/plugins/module_utils/cycle/).

``facts`` is a whole reboot_facts result of a Windows host (the schema plan() checks), ``state`` a cycle started
from it at ``T0``; ``edge_facts`` is the smallest reading the edge tests need (``updated`` for updated_since_boot,
``read_at`` for the reading's own time), booted at ``BOOT``; ``linux_facts`` a Debian host's reading three days
after its boot, at ``RUN_START``.
"""
from datetime import datetime, timedelta, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

T0 = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def facts(strong=(), weak=(), installed=True, updating=False, updated_since_boot=False,
          boot=T0, health="good", services=None, family="windows"):
    reasons = [{"id": r, "source": "sophos" if r.startswith("sophos") else "os", "strong": True,
                "detail": "test"} for r in strong]
    reasons += [{"id": r, "source": "os", "strong": False, "detail": "test"} for r in weak]
    return {
        "schema": 1,
        "reboot_required": bool(strong),
        "reasons": reasons,
        "sophos": {
            "installed": installed,
            "updating": updating,
            "updated_since_boot": updated_since_boot if installed else None,
            "last_update": _time.iso(boot + timedelta(minutes=6)) if updated_since_boot else None,
            "health": {"overall": health,
                       "services": services if services is not None else {"Sophos MCS Agent": "running"}},
        },
        "os": {"family": family, "last_boot": _time.iso(boot) if boot else None,
               "boot_id": None if family == "windows" else "b-%s" % boot.minute},
        "read_errors": [],
    }


def state(f=None, **settings):
    return _cycle.start(f or facts(), _cycle.normalize_settings(settings, T0), T0)


BOOT = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def edge_facts(strong=(), weak=(), installed=True, updating=False, updated=False, health="good", services=None,
               read_at=None, boot=BOOT):
    reasons = [{"id": r, "source": "os", "strong": True, "detail": "t"} for r in strong]
    reasons += [{"id": r, "source": "os", "strong": False, "detail": "t"} for r in weak]
    return {
        "reasons": reasons,
        "reboot_required": bool(strong),
        "checked_at": _time.iso(read_at) if read_at else None,
        "sophos": {"installed": installed, "updating": updating, "updated_since_boot": updated,
                   "last_update": "2026-11-28T02:06:00Z" if updated else None,
                   "health": {"overall": health, "services": {"MCS": "running"} if services is None else services}},
        "os": {"last_boot": _time.iso(boot) if boot else None, "boot_id": "b1"},
    }


def settle_after(f, now_minutes, **settings):
    """The settle's state ``now_minutes`` after ``T0`` with these settings."""
    return _cycle.settle_state(f, _cycle.normalize_settings(settings, T0 + timedelta(minutes=now_minutes)), T0 + timedelta(minutes=now_minutes))


def settled_state(f, restarts, **settings):
    """A cycle from ``f`` at ``BOOT`` after ``restarts`` restarts, each settled."""
    current = _cycle.start(f, _cycle.normalize_settings(settings, BOOT), BOOT)
    for _restart in range(restarts):
        current = _cycle.restarted(current, f, BOOT)
        current = _cycle.settled(current, {"wait": False, "mode": "poll", "elapsed": 0.0, "ended": "interval",
                                           "reason": "r"})
    return current


RUN_START = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)


def linux_facts(strong=(), services=None, health="good", boot_id="b-1"):
    return {
        "reboot_required": bool(strong),
        "reasons": [{"id": r, "source": "os", "strong": True, "detail": "because %s" % r} for r in strong],
        "sophos": {"installed": True, "updating": False, "updated_since_boot": True,
                   "health": {"overall": health, "services": services or {"sophos-spl": "running"}}},
        "os": {"family": "debian", "last_boot": _time.iso(RUN_START - timedelta(days=3)), "boot_id": boot_id},
        "read_errors": [],
    }
