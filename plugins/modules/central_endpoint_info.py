#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: central_endpoint_info
short_description: Sophos Central's view of given hosts, with their restart alert
version_added: 0.1.0
description:
  - Looks up endpoints in Sophos Central by hostname or by endpoint id and returns each in the shape of
    the C(sophos_central) host variable of the P(fleetops.sophos.central#inventory) inventory plugin -
    health, online state, last seen, and Central's open restart alert with its age.
  - A hostname matches an endpoint whose Central hostname is the same short name, case-insensitively
    (C(web1.example.com) and C(WEB1) both match C(web1)). Central's C(hostnameContains) filter is only a
    substring filter, so the exact comparison is made here.
  - A name or id that matches no endpoint, or several (two tenants, two machines of one name), is
    reported in RV(not_found) or RV(ambiguous), never guessed.
  - Reads only; it changes nothing in Central.
extends_documentation_fragment:
  - fleetops.sophos.central
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode too.
  diff_mode:
    support: none
    description: Nothing to compare.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Central's view of this host (tenant credentials from the environment)
  fleetops.sophos.central_endpoint_info:
    hostnames: ["{{ inventory_hostname }}"]
  delegate_to: localhost
  register: central

- name: Say when Central has alerted for a pending restart
  ansible.builtin.debug:
    msg: >-
      Central has asked for a restart since {{ central.endpoints[inventory_hostname].restart_alert.raised_at }};
      pending for {{ central.endpoints[inventory_hostname].restart_alert.pending_days }} days
      ({{ central.endpoints[inventory_hostname].restart_alert.pending_since_source }})
  when:
    - inventory_hostname in central.endpoints
    - central.endpoints[inventory_hostname].restart_alert

- name: Partner credentials, two customers, by endpoint id
  fleetops.sophos.central_endpoint_info:
    client_id: "{{ vault_central_partner_id }}"
    client_secret: "{{ vault_central_partner_secret }}"
    tenant_ids:
      - 11111111-2222-4333-8444-555555555555
      - 66666666-7777-4888-8999-000000000000
    ids:
      - 4f5b6c7d-1111-4222-8333-444455556666
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
endpoints:
  description:
    - Every asked name or id that matched exactly one endpoint, with Central's view of it.
  returned: always
  type: dict
  sample:
    WIN-SRV0003:
      id: 0d6a3f4e-5b8c-5d2e-9f01-23456789abcd
      tenant_id: a0000000-0000-4000-8000-00000000000a
      hostname: WIN-SRV0003
      type: server
      online: true
      last_seen_at: "2026-12-01T08:10:00Z"
      health: {overall: good, services: {Sophos MCS Agent: running}}
      os: {platform: windows, name: Windows Server 2019 Standard, is_server: true, build: 17763}
      ipv4_addresses: [10.20.11.30]
      restart_alert:
        id: 7f1e2d3c-0000-4000-8000-000000000001
        type: Event::Endpoint::UpdateRebootUrgentlyRequired
        severity: medium
        raised_at: "2026-11-10T20:10:00Z"
        age_days: 20
        pending_since: "2026-10-27T20:10:00Z"
        pending_since_source: estimate
        pending_days: 34
  contains:
    id:
      description: Central endpoint id.
      type: str
      returned: always
    tenant_id:
      description: Tenant the endpoint belongs to.
      type: str
      returned: always
    hostname:
      description: Hostname as Central has it (short name).
      type: str
      returned: always
    type:
      description: C(server) or C(computer).
      type: str
      returned: always
    online:
      description: Whether Central sees the agent online; null when Central did not say.
      type: bool
      returned: always
    last_seen_at:
      description: Last contact, ISO-8601 UTC; null when unknown.
      type: str
      returned: always
    health:
      description: C(overall) (C(good), C(suspicious), C(bad), C(unknown)) and C(services) (service name to status).
      type: dict
      returned: always
    os:
      description: C(platform), C(name), C(is_server), C(build).
      type: dict
      returned: always
    ipv4_addresses:
      description: IPv4 addresses Central knows.
      type: list
      elements: str
      returned: always
    restart_alert:
      description:
        - Central's open restart alert (the urgent "Reboot required" type first, else the oldest alert whose
          type says a reboot is required), or null.
        - C(raised_at) is ISO-8601 UTC; C(age_days) whole days since then (null when unreadable).
        - C(pending_since) is when the restart became pending, C(pending_days) whole days since then. Central
          raises the urgent alert after two weeks pending, so for it C(pending_since) is C(raised_at) minus 14
          days, an estimate (C(pending_since_source=estimate)); C(alert) for a type raised at once.
      type: dict
      returned: always
not_found:
  description: Asked names or ids that matched no endpoint in the tenants searched.
  returned: always
  type: list
  elements: str
  sample: [old-server]
ambiguous:
  description: Asked names that matched several endpoints, each with C(id), C(hostname) and C(tenant_id).
  returned: always
  type: dict
  sample: {db1: [{id: e3, hostname: db1, tenant_id: t1}, {id: e4, hostname: DB1, tenant_id: t2}]}
tenants:
  description: Ids of the tenants searched (a tenant that answered 403 is left out, with a warning).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fleetops.sophos.plugins.module_utils import _central


def main():
    module = AnsibleModule(argument_spec=_central.MODULE_ARGS, supports_check_mode=True)
    client = _central.module_client(module)
    try:
        info = _central.endpoints_info(client, module.params["hostnames"], module.params["ids"],
                                       module.params["tenant_ids"])
    except _central.CentralError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()
