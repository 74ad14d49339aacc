# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: central
short_description: Servers from Sophos Central, with their health and restart alerts
version_added: 0.1.0
description:
  - One host per Sophos Central endpoint, named by its Central hostname (the short machine name), with
    Central's view of it in the host variable C(sophos_central).
  - Tenant, partner and organization API credentials work; with partner or organization credentials
    every tenant is read from its own C(apiHost). A tenant that answers 403 (no Partner Assistance, a
    trial) or whose C(apiHost) is not https is skipped with a warning naming it. With tenant credentials
    a 403 is an error, never an empty inventory.
  - A list whose page key comes back (Central paging in a loop) ends there, with a warning.
  - "Groups: C(sophos_central_restart_alert) (an open C(Event::Endpoint::UpdateRebootUrgentlyRequired)
    alert - Central's \"Reboot required\" after two weeks pending - or any alert whose type says a reboot
    or restart is required), C(sophos_central_health_bad) (C(health.overall) is C(bad)) and
    C(sophos_central_offline) (C(online) is false; unknown is not offline)."
  - "Host variable C(sophos_central): C(id), C(tenant_id), C(hostname), C(type), C(online) (true, false
    or null), C(last_seen_at) (ISO-8601 UTC), C(health) (C(overall), C(services) as name: status), C(os)
    (C(platform), C(name), C(is_server), C(build)), C(ipv4_addresses), and C(restart_alert): null or
    C(id), C(type), C(severity), C(raised_at) (ISO-8601 UTC), C(age_days) (the alert's own age: whole days
    since C(raised_at)), C(pending_since), C(pending_since_source) and C(pending_days) (whole days since
    C(pending_since)); the ages are null when Central's time could not be read."
  - "Central raises the urgent alert when a restart has been pending B(more than two weeks), so C(raised_at)
    is not when the restart became pending. C(pending_since) is C(raised_at) minus 14 days for it, an
    estimate (C(pending_since_source=estimate)); another restart type is raised at once
    (C(pending_since_source=alert)). The exact time is Central's C(Event::Endpoint::UpdateRebootRequired)
    event (C(pending_since_source=event)), which the SIEM API keeps only 24 hours: see the event source
    C(fleetops.sophos.central_events)."
  - An alert that names no endpoint (no C(managedAgent.id)) belongs to no host; one warning says how
    many there were.
  - "An endpoint is left out, with a warning naming its id, when its hostname cannot safely be a host name:
    none, not a valid host name (RFC 1123 labels - letters, digits, hyphens, and the underscore of Windows
    computer names - so no Ansible host-pattern character such as C(,) C(:) C([) C(*) C(!) C(&) or a space),
    a loopback name or address (C(localhost), C(*.localhost), C(localhost.localdomain), C(ip6-localhost),
    C(127.0.0.0/8), C(::1)), C(all) or C(ungrouped), or a name of the controller itself (its host name
    and the names C(/etc/hosts) gives it, whole or as a short name; no DNS is asked)."
  - Central's strings are data, never templates - on every supported ansible-core, a string from Central
    that holds a Jinja delimiter (anything with C({) or C(})) is marked unsafe at every depth of
    C(sophos_central), dictionary keys included, so that no play, C(compose) or C(groups) expression
    evaluates it.
  - The configuration file name must end in C(sophos_central.yml) or C(sophos_central.yaml).
  - The inventory cache (O(cache)) holds only the host variables above, never the secret or a token.
author:
  - fleetops maintainers (@fleetops)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: This plugin.
    required: true
    choices: [fleetops.sophos.central]
    type: str
  client_id:
    description:
      - Client ID of a Sophos Central API credential (tenant, partner or organization).
    type: str
    env:
      - name: SOPHOS_CENTRAL_CLIENT_ID
  client_secret:
    description:
      - Client secret of that API credential. Prefer the environment variable (AWX injects it) to
        writing it in the file.
    type: str
    env:
      - name: SOPHOS_CENTRAL_CLIENT_SECRET
  identity_url:
    description:
      - Base URL of the Sophos identity service that hands out tokens.
      - The client secret goes there, so it must be an https URL (plain http only to C(127.0.0.1) or
        C(localhost), for a test double), as must O(global_url) and every tenant's C(apiHost).
    type: str
    default: https://id.sophos.com
    env:
      - name: SOPHOS_CENTRAL_IDENTITY_URL
  global_url:
    description:
      - Base URL of the Sophos Central global API (whoami, tenant lists). Tenant data comes from the
        C(apiHost) Central gives for each tenant (for tenant credentials, whoami's C(dataRegion)).
      - An https URL (plain http only to C(127.0.0.1) or C(localhost)).
    type: str
    default: https://api.central.sophos.com
    env:
      - name: SOPHOS_CENTRAL_GLOBAL_URL
  validate_certs:
    description: Verify Central's TLS certificates.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of CA certificates to verify Central with (an intercepting proxy). Proxies come from the
        usual E(https_proxy) and E(no_proxy) environment variables.
    type: path
  tenant_ids:
    description:
      - With partner or organization credentials, only these tenants. An id the credentials cannot
        reach is an error.
    type: list
    elements: str
  endpoint_type:
    description: Which endpoints become hosts. V(all) lists servers and computers.
    type: str
    choices: [server, computer, all]
    default: server
  page_size:
    description: Endpoints asked for per request (Central allows at most 500).
    type: int
    default: 500
  timeout:
    description:
      - Seconds to wait for one answer. Timeouts, answers cut off (the connection closed without an
        answer, an incomplete body), 429 (after its C(Retry-After)) and 5xx answers are retried 3 times.
    type: int
    default: 30
notes:
  - Requests made, for N endpoints and M alerts in one tenant - one token, one whoami, ceil(M / 100) alert
    pages and ceil(N / page_size) endpoint pages; partner and organization credentials add the tenant
    list pages and repeat the two lists per tenant.
  - Of Central's answers only one page is held at a time - of the alerts only the restart alerts are kept,
    and endpoints are shaped into host variables page by page; what grows with the fleet is the host
    variables themselves. A read that fails on any page adds no host.
  - Central may take a while to clear its alert after a restart; C(sophos_central_restart_alert) is what
    Central says now.
seealso:
  - module: fleetops.sophos.central_endpoint_info
  - module: fleetops.sophos.central_update_check
"""

EXAMPLES = r"""
# inventory/sophos_central.yml - tenant credentials from the environment
# (SOPHOS_CENTRAL_CLIENT_ID / SOPHOS_CENTRAL_CLIENT_SECRET):
#   ansible-inventory -i inventory/sophos_central.yml --graph
plugin: fleetops.sophos.central
# A host without a Central IPv4 address gets no ansible_host: it is reached by its name, never by a
# fallback that could name another machine.
compose:
  ansible_host: sophos_central.ipv4_addresses | first
keyed_groups:
  - key: sophos_central.os.platform
    prefix: sophos_os

---
# partner_sophos_central.yml - partner credentials, two customers only, with a cache
plugin: fleetops.sophos.central
client_id: 3f2a8c1e-0000-4000-8000-partnerclient
# client_secret from SOPHOS_CENTRAL_CLIENT_SECRET
tenant_ids:
  - 11111111-2222-4333-8444-555555555555
  - 66666666-7777-4888-8999-000000000000
endpoint_type: server
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/fleetops-sophos-central
cache_timeout: 900
groups:
  # Pending three weeks or more (for the two-week alert: an estimate, raised_at - 14 days).
  sophos_central_overdue: sophos_central.restart_alert and sophos_central.restart_alert.pending_days >= 21
"""

import hashlib

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.fleetops.sophos.plugins.module_utils import _central
from ansible_collections.fleetops.sophos.plugins.plugin_utils._unsafe import make_unsafe

GROUPS = ("sophos_central_restart_alert", "sophos_central_health_bad", "sophos_central_offline")
OPTIONS = ("client_id", "client_secret", "identity_url", "global_url", "validate_certs", "ca_path",
           "tenant_ids", "endpoint_type", "page_size", "timeout")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "fleetops.sophos.central"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and \
            path.endswith(("sophos_central.yml", "sophos_central.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        options = dict((name, self.get_option(name)) for name in OPTIONS)
        problems = _central.check_options(options)
        if problems:
            raise AnsibleParserError("%s: %s" % (path, "; ".join(problems)))
        # The key says whose fleet it is (never the secret): another client id is another cache entry.
        scope = "|".join(str(options[name]) for name in ("client_id", "identity_url", "global_url",
                                                         "tenant_ids", "endpoint_type"))
        cache_key = "%s_%s" % (self.get_cache_key(path), hashlib.sha256(scope.encode()).hexdigest()[:12])
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if data is None:
            # Shaped page by page; read to the end before any host goes in: a failed read adds none.
            data = {"hosts": list(self._fetch(options))}
        if update_cache:
            self._cache[cache_key] = data
        self._populate(data["hosts"])

    def _fetch(self, options):
        """Every host's ``sophos_central``, one at a time; then the orphan alerts' warning."""
        client = _central.Client(options["client_id"], options["client_secret"], options["identity_url"],
                                 options["global_url"], options["validate_certs"], options["ca_path"],
                                 options["timeout"], warn=self.display.warning)
        orphans = []
        try:
            yield from client.each_host(orphans, options["tenant_ids"], options["endpoint_type"], options["page_size"])
        except _central.CentralError as exc:
            raise AnsibleParserError(str(exc))
        warning = _central.orphan_warning(orphans)
        if warning:
            self.display.warning(warning)

    def _populate(self, hosts):
        for group in GROUPS:
            self.inventory.add_group(group)
        strict = self.get_option("strict")
        compose, groups, keyed = (self.get_option(name) for name in ("compose", "groups", "keyed_groups"))
        named = {}
        controller = _central.controller_names()
        for central in hosts:
            name = central.get("hostname")
            problem = _central.host_name_problem(name, controller)
            if problem:
                shown = "" if not name else " (hostname %r)" % (name[:100],)
                self.display.warning("Sophos Central endpoint %s%s left out: %s"
                                     % (_central.shown_id(central.get("id")), shown, problem))
                continue
            if name.lower() in named:
                self.display.warning("Sophos Central has two endpoints named %s (%s and %s); the host is %s"
                                     % (name, named[name.lower()], central.get("id"), named[name.lower()]))
                continue
            named[name.lower()] = central.get("id")
            self.inventory.add_host(name)
            # Central's strings are data, never templates (ansible-core before 2.19 templates host variables).
            self.inventory.set_variable(name, "sophos_central", make_unsafe(central))
            for group in _central.groups_of(central):
                self.inventory.add_child(group, name)
            if compose or groups or keyed:
                variables = self.inventory.get_host(name).get_vars()
                self._set_composite_vars(compose, variables, name, strict=strict)
                self._add_host_to_composed_groups(groups, variables, name, strict=strict)
                self._add_host_to_keyed_groups(keyed, variables, name, strict=strict)
