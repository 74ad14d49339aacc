#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: central_update_check
short_description: Ask Sophos Central to make endpoints check for Sophos updates now
version_added: 0.1.0
description:
  - Sends C(POST /endpoint/v1/endpoints/{id}/update-checks) for each given host or endpoint id, so that
    a Sophos update queued behind a restart starts sooner than the agent's own schedule.
  - Hostnames are matched as by M(fleetops.sophos.central_endpoint_info) (exact short name,
    case-insensitive). If any name or id matches no endpoint or several, the module fails before it
    requests anything, naming them.
  - The API credential needs a role that may change endpoints; the Service Principal ReadOnly role
    gets 403.
  - Endpoint ids (O(ids), or the ids the look-up finds) must be UUIDs, as Central's are; anything else
    fails naming it before it reaches a URL.
  - A request whose answer never came (a timeout, the connection closed) or was 429 or 5xx is sent
    again, up to 3 times, like every other Central call. An update check asked twice only makes the
    endpoint look for updates once more, which is harmless; without the retry a check that may never
    have reached Central would fail the task.
extends_documentation_fragment:
  - fleetops.sophos.central
attributes:
  check_mode:
    support: full
    description: In check mode nothing is sent to Central, not even the look-up; the result says it would request.
  diff_mode:
    support: none
    description: Nothing to compare.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: After the restart, have Sophos look for its queued update now (tenant credentials from the environment)
  fleetops.sophos.central_update_check:
    hostnames: ["{{ inventory_hostname }}"]
  delegate_to: localhost

- name: Partner credentials, one customer, by endpoint id
  fleetops.sophos.central_update_check:
    client_id: "{{ vault_central_partner_id }}"
    client_secret: "{{ vault_central_partner_secret }}"
    tenant_ids: [11111111-2222-4333-8444-555555555555]
    ids: ["{{ sophos_central.id }}"]
  delegate_to: localhost
"""

RETURN = r"""
update_checks:
  description: One entry per asked name or id that was requested.
  returned: always
  type: dict
  sample:
    WIN-SRV0003:
      id: 0d6a3f4e-5b8c-5d2e-9f01-23456789abcd
      hostname: WIN-SRV0003
      tenant_id: a0000000-0000-4000-8000-00000000000a
      status: requested
      requested_at: "2026-12-01T08:40:00Z"
  contains:
    id:
      description: Central endpoint id.
      type: str
      returned: always
    hostname:
      description: Hostname as Central has it.
      type: str
      returned: always
    tenant_id:
      description: Tenant of the endpoint.
      type: str
      returned: always
    status:
      description: Central's answer, C(requested).
      type: str
      returned: always
    requested_at:
      description: When Central took the request, ISO-8601 UTC.
      type: str
      returned: always
not_found:
  description: Names or ids that matched no endpoint (the module failed).
  returned: failure
  type: list
  elements: str
ambiguous:
  description: Names that matched several endpoints (the module failed).
  returned: failure
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fleetops.sophos.plugins.module_utils import _central


def main():
    module = AnsibleModule(argument_spec=_central.MODULE_ARGS, supports_check_mode=True)
    client = _central.module_client(module)
    if module.check_mode:
        module.exit_json(changed=True, update_checks={},
                         msg="check mode: would request an update check for %s"
                         % ", ".join(module.params["hostnames"] + module.params["ids"]))
    try:
        found, _searched = client.lookup(module.params["hostnames"], module.params["ids"],
                                         module.params["tenant_ids"])
        single, missing, several = _central.resolved(found)
        if missing or several:
            module.fail_json(msg="nothing requested: %s" % "; ".join(
                ["no Central endpoint matches %s" % ", ".join(missing)] * bool(missing)
                + ["several Central endpoints match %s" % ", ".join(sorted(several))] * bool(several)),
                not_found=missing, ambiguous=several, update_checks={})
        checks = {}
        for name, (tenant, endpoint) in single.items():
            answer = client.update_check(tenant, endpoint["id"])
            checks[name] = {"id": endpoint["id"], "hostname": endpoint.get("hostname"), "tenant_id": tenant["id"],
                            "status": answer.get("status"), "requested_at": _central.iso_utc(answer.get("requestedAt"))}
    except _central.CentralError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=bool(checks), update_checks=checks)


if __name__ == "__main__":
    main()
