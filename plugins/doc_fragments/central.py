# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sophos Central connection options shared by the central_* modules (DOCUMENTATION), and the suboptions of the
actions' ``central_options`` (CENTRAL_OPTIONS: each action describes the option itself)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  hostnames:
    description:
      - Hostnames of the endpoints, short names or FQDNs; only the short name counts, case-insensitively.
      - Give O(hostnames), O(ids) or both.
    type: list
    elements: str
    default: []
  ids:
    description:
      - Central endpoint ids (C(sophos_central.id)). Central's ids are UUIDs; anything else is refused
        before Central is asked.
    type: list
    elements: str
    default: []
  client_id:
    description:
      - Client ID of a Sophos Central API credential (Global Settings > API Credentials), for a tenant,
        a partner or an organization.
      - Taken from the environment variable E(SOPHOS_CENTRAL_CLIENT_ID) when not given.
    type: str
  client_secret:
    description:
      - Client secret of that API credential. It is never logged or returned.
      - Taken from the environment variable E(SOPHOS_CENTRAL_CLIENT_SECRET) when not given.
    type: str
  identity_url:
    description:
      - Base URL of the Sophos identity service that hands out tokens.
      - Taken from E(SOPHOS_CENTRAL_IDENTITY_URL) when not given.
      - The client secret goes there, so it must be an https URL (plain http only to C(127.0.0.1) or
        C(localhost), for a test double), as must O(global_url) and every tenant's C(apiHost).
    type: str
    default: https://id.sophos.com
  global_url:
    description:
      - Base URL of the Sophos Central global API (whoami, partner and organization tenant lists).
        Tenant calls go to the C(apiHost) Central gives for each tenant.
      - Taken from E(SOPHOS_CENTRAL_GLOBAL_URL) when not given.
      - An https URL (plain http only to C(127.0.0.1) or C(localhost)).
    type: str
    default: https://api.central.sophos.com
  validate_certs:
    description:
      - Verify Central's TLS certificates. Turn off only for a test double you trust.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of CA certificates to verify Central with, instead of the system's (an intercepting proxy).
      - Proxies come from the usual E(https_proxy) and E(no_proxy) environment variables.
    type: path
  tenant_ids:
    description:
      - With partner or organization credentials, only these tenants are searched. Default all of them.
      - An id the credentials cannot reach is an error.
    type: list
    elements: str
  timeout:
    description:
      - Seconds to wait for one answer from Central. Timeouts, answers cut off (the connection closed
        without an answer, an incomplete body), 429 (after its C(Retry-After)) and 5xx answers are
        retried 3 times.
    type: int
    default: 30
notes:
  - Runs on the controller (or where it is delegated); it needs HTTPS access to Sophos Central only.
  - With partner or organization credentials, a tenant that answers 403 (a partner without Partner
    Assistance, a trial) or whose C(apiHost) is not https is skipped with a warning naming it; the other
    tenants are still searched. With tenant credentials a 403 is an error.
seealso:
  - plugin: fleetops.sophos.central
    plugin_type: inventory
"""

    # The suboptions of the reboot_cycle and report actions' central_options; the action's own page gives the
    # option's description and type (a fragment's option is merged under the page's).
    CENTRAL_OPTIONS = r"""
options:
  central_options:
    suboptions:
      client_id:
        description: Client ID of a Sophos Central API credential.
        type: str
      client_secret:
        description: Its client secret; never logged, returned or written to a report.
        type: str
      identity_url:
        description: Base URL of the Sophos identity service.
        type: str
      global_url:
        description: Base URL of the Sophos Central global API.
        type: str
      validate_certs:
        description: Verify Central's TLS certificates.
        type: bool
      ca_path:
        description: PEM file of CA certificates to verify Central with.
        type: path
      tenant_ids:
        description: Only these tenants (partner or organization credentials).
        type: list
        elements: str
      timeout:
        description: Seconds to wait for one answer.
        type: int
"""
