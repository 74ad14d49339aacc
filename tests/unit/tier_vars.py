"""A batch's variables as the reboot_cycle role leaves them for restart tiers: two tiers, a lower-tier host
that finished, one that failed while patching (it never reached its cycle), one deferred, and the host of tier 2
that reached its cycle (the tests of plugin_utils/_tiers.py and of the cycle filters)."""

DONE = {"status": "rebooted", "message": "clean after 1 restart(s)"}
DEFERRED = {"status": "deferred", "message": "maintenance deferred: the maintenance window ended"}
BATCH = ["app1", "app2", "app3", "db1"]


def hostvars():
    return {
        "app1": {"reboot_cycle_tier": 1, "_reboot_cycle_tier_reached": True, "sophos_reboot_cycle": DONE},
        "app2": {"reboot_cycle_tier": "1", "maintenance_stage": "patch"},        # failed in patch: rescue later
        "app3": {"reboot_cycle_tier": 1, "sophos_reboot_cycle_deferred": "True", "sophos_reboot_cycle": DEFERRED},
        "db1": {"_reboot_cycle_tier_own": "2", "_reboot_cycle_tier_reached": True,
                "_reboot_cycle_tier_since": "2026-11-28T01:50:00Z"},
    }
