#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the action plugin plugins/action/reboot_cycle.py; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: reboot_cycle
short_description: One host's whole reboot cycle in one task - restart, let Sophos settle, restart again, verify
version_added: 0.2.0
description:
  - Runs on the controller (an action plugin) and drives one host's cycle in a Python loop - read the
    restart state with M(fleetops.sophos.reboot_facts), restart when a strong reason is pending (or
    O(force)), B(settle) after the boot, read again, restart again while a strong reason is back (a queued
    Sophos update), at most O(max_cycles) restarts, then verify Sophos services and health.
  - Restarts with the action plugins of M(ansible.builtin.reboot) (Linux) and M(ansible.windows.win_reboot)
    (Windows), which verify that the host really booted again.
  - A weak reason alone (for example C(pending_file_rename)) never restarts a host.
  - A reading whose restart state is unknown (C(reboot_required=null), a source could not be read) with no
    strong reason ends the host C(failed) ("cannot read the restart state"), unless O(force) restarts it.
  - The settle is measured from the host's last boot on the host's own clock. C(poll) re-reads every
    O(poll_seconds) and ends early on evidence that Sophos finished its post-boot update (or that a strong
    reason is back while Sophos is not updating); C(fixed) waits O(settle_minutes) after the boot.
  - Prints one progress line per settle reading (what it waits for, time left), visible at the default
    verbosity and in an AWX job log, and one line per decision.
  - A host lost during a restart, a restart that fails, or O(poll_retries) failed readings in a row end the
    host's cycle with C(sophos_reboot_cycle.status=failed) (C(unreachable=true) when the host did not answer);
    the task then fails for that host only and other hosts go on.
  - Cycle settings accept what AWX surveys send (flags as C(true)/C(false)/C(yes)/C(no) strings, numbers as
    numeric strings) and are checked before anything runs, with messages that name the
    C(reboot_cycle_*) role variable of the setting.
  - The C(fleetops.sophos.reboot_cycle) role is the usual way to run it; it adds the hooks and the
    C(sophos_reboot_cycle) host fact.
options:
  settle_mode:
    description:
      - C(poll) or C(fixed), see the description. Same as the role's O(fleetops.sophos.reboot_cycle#role:main:reboot_cycle_settle_mode).
    type: raw
    default: poll
  settle_minutes:
    description:
      - Settle time after a boot, in minutes (fractions allowed). Sophos advises 20 minutes.
    type: raw
    default: 20
  poll_seconds:
    description:
      - Seconds between two readings (and progress lines) while settling; at least 1.
    type: raw
    default: 30
  poll_retries:
    description:
      - Readings in a row that may fail (after a restart or while settling) before the host's cycle ends
        C(failed); each is tried again after O(poll_seconds).
    type: raw
    default: 3
  trigger_update:
    description:
      - After each restart, before the settle, start Sophos' post-boot update at once instead of letting Sophos
        wait its own ~5 minutes after boot (an admin's "update now"), so a C(poll) settle ends on the update's
        evidence minutes sooner after every restart.
      - Linux - reads C(sophos-spl-update.service) with C(systemctl show) (M(ansible.builtin.command)) and,
        when it is loaded, starts it without waiting (M(ansible.builtin.systemd_service), C(no_block)); systemd
        joins an update already running, nothing is started twice. Starting a unit needs root (C(become)).
      - Windows - runs C(SAUcli.exe UpdateNow) from the Sophos AutoUpdate directory when it exists, as a one-shot
        scheduled task that outlives the module and joins an update it started earlier that is still running
        (M(fleetops.sophos.win_sophos_update_now)).
      - Where nothing can be triggered (no unit, no C(SAUcli.exe), Sophos not installed) the cycle says so once
        and settles as before. A failed trigger is a warning, never a failed cycle.
      - Off by default - it moves Sophos' download to right after the restart, for every host of a batch at
        once, and starts a Sophos service the product would start itself later.
      - The outcome is in each restart's RV(sophos_reboot_cycle.boots) entry (C(update_triggered),
        C(update_trigger)).
    type: raw
    default: false
  max_cycles:
    description:
      - Most restarts made on the host in one run.
    type: raw
    default: 2
  force:
    description:
      - Restart once even when nothing strong is pending.
    type: raw
    default: false
  window_end:
    description:
      - End of the maintenance window; empty or null for none. An ISO 8601 date-time with a timezone
        (C(2026-11-28T06:00:00+01:00)), a time of day with a timezone (C(06:00 Europe/Berlin), C(06:00+01:00);
        its next occurrence after O(run_started)) or a duration from O(run_started) (C(+4h), C(PT4H)).
      - A restart whose reserve (O(restart_reserve_minutes)) and expected length (delays, O(restart_expected_minutes),
        the settle when Sophos is installed) do not fit is not made and the host is C(deferred); the reason shows
        the arithmetic. A window that ended before O(run_started) fails the task.
    type: raw
  window_start:
    description:
      - Start of the maintenance window; empty or null for none. The forms of O(window_end); a time of day is its
        last occurrence before the end when one is set, else its next occurrence after O(run_started).
      - No restart before it - the cycle waits for it (one progress line a minute; in check mode it says it would)
        and the record's C(window_start_wait) holds the wait. A start at or after the end fails the task.
    type: raw
  run_started:
    description:
      - Start of the whole run (ISO 8601 with a timezone), which a relative O(window_end) counts from; empty or
        null - the moment this task starts.
    type: raw
  blackouts:
    description:
      - >-
        Blackouts and change freezes - periods in which no restart starts. A list of mappings with C(start), C(end)
        (each in the forms of O(window_end), resolved against O(run_started)) and an optional C(name); or text
        with one period a line, C([name: ]start to end). Two times of day (C(22:00 Europe/Berlin) to
        C(02:00 Europe/Berlin)) are the daily period that holds O(run_started) or comes next.
      - Inside a blackout no restart starts, and the window guard (O(guard_only)) defers the host. A restart whose
        expected length (as for O(window_end)) would reach the next blackout's start is not made - the host is
        C(deferred), naming the blackout; a restart already made is settled and verified as usual.
      - A period that is malformed, ends before its start or has an unknown key fails the task before anything is
        changed, every problem named.
    type: raw
    default: []
  fail_when_still_pending:
    description:
      - A strong reason still pending after O(max_cycles) restarts fails the task; when false the record says
        C(still_pending) and a warning is shown.
    type: raw
    default: true
  fail_when_unhealthy:
    description:
      - Sophos health C(bad) or a stopped Sophos service after a restart fails the task; when false a warning
        is shown (the record says C(failed)).
      - When true, health is also checked when nothing is pending and no restart is made; the task then fails
        with a message that says nothing was pending and names the problem.
    type: raw
    default: true
  reboot_timeout:
    description:
      - Seconds a restart may take (O(ansible.builtin.reboot#module:reboot_timeout)).
      - Empty or null - by the host's OS, 3600 on Windows (the first restart after a cumulative update installs
        it) and 1200 on Linux.
    type: raw
  restart_expected_minutes:
    description:
      - Minutes a restart is expected to take; the window fit counts each restart at this (not at
        O(reboot_timeout)). The record's C(boots[].restart_seconds) shows what restarts really took.
      - Empty or null - by the host's OS, 15 on Windows and 5 on Linux.
      - A host with O(learned_durations) (and O(learn_durations) on) is counted at its own instead.
    type: raw
  restart_reserve_minutes:
    description:
      - Minutes of the window no restart starts without, beyond its expected length and its settle.
      - Empty or null - by the host's OS, 10 on Windows and 15 on Linux; C(0) for none.
    type: raw
  learn_durations:
    description:
      - Count a restart and its settle, in the window fit, at the host's own durations (O(learned_durations)) where
        it has them, instead of O(restart_expected_minutes) and O(settle_minutes). False - always those.
    type: raw
    default: true
  learned_durations:
    description:
      - The host's own expected durations, set by the C(fleetops.sophos.maintenance) and C(fleetops.sophos.restart)
        playbooks at the run's start from the kept reports (the nearest-rank 90th percentile of its last 10
        measured restarts and settles; at least 3 of each). Keys C(restart_minutes) and C(settle_minutes)
        (null - the default), C(restart_samples) and C(settle_samples) (how many values each is of).
      - Empty - the defaults. The settle itself still waits up to O(settle_minutes); this only counts it.
    type: raw
    default: {}
  group:
    description:
      - Restart groups (names) the host belongs to; at most O(group_max_down) members of a group are in their
        restart at once, each holding a slot (a lock file in a per-run directory on the controller) from its
        first restart until its cycle ends. A name, a list, or names between commas. Not combined with
        O(stop_at).
    type: raw
    default: []
  group_max_down:
    description:
      - Members of a group in their restart at once - an integer of at least 1 or a percentage of the group's
        hosts in the play (C(50%)).
    type: raw
    default: 1
  group_gap_seconds:
    description:
      - Seconds to pause after a group member was released before the next one restarts.
    type: raw
    default: 0
  tier:
    description:
      - The host's restart tier, an integer of at least 0. The fleetops.sophos.reboot_cycle role runs a batch's
        cycles tier by tier (lowest first); the action works out the tier's turn from O(tier_batch) and records it.
    type: raw
    default: 0
  tier_on_failure:
    description:
      - V(stop) - a failure in a lower tier of the batch defers this host (the reason names the failed hosts);
        V(continue) - it goes on. Read by the action of each higher-tier host of the batch (O(tier_batch)).
    type: raw
    default: stop
  health_checks:
    description:
      - Checks that must pass after the host's restarts, each one of C(url) (from the controller; C(status_code)
        list, default C([200]); C(contains); C(validate_certs), default true; C(timeout)), C(tcp) (a port or
        C(host:port)) or C(command) (an argv list run on the host); polled every O(health_poll_seconds) until all
        pass or O(health_timeout). A failure fails the task and stops the host's groups.
    type: raw
    default: []
  health_checks_before:
    description:
      - The same kinds of checks, before the first restart; a failure defers the host.
    type: raw
    default: []
  health_poll_seconds:
    description:
      - Seconds between two passes of the health checks.
    type: raw
    default: 10
  health_timeout:
    description:
      - Seconds the health checks may take to pass.
    type: raw
    default: 600
  connect_timeout:
    description:
      - Connection timeout of the restart (O(ansible.builtin.reboot#module:connect_timeout)); C(0) keeps the
        restart action's default.
    type: raw
    default: 0
  pre_reboot_delay:
    description:
      - Seconds to wait before the restart (O(ansible.builtin.reboot#module:pre_reboot_delay)).
    type: raw
    default: 0
  post_reboot_delay:
    description:
      - Seconds to wait after the restart before checking the host (O(ansible.builtin.reboot#module:post_reboot_delay)).
    type: raw
    default: 0
  prior_restart:
    description:
      - The host was restarted earlier in this run (for example by M(ansible.windows.win_updates)); the cycle
        settles first, measured from that boot.
    type: raw
    default: false
  ignore_reasons:
    description:
      - Reason ids M(fleetops.sophos.reboot_facts) drops.
    type: list
    elements: str
    default: []
  test_command:
    description:
      - Command that must succeed after a restart (O(ansible.builtin.reboot#module:test_command)); empty keeps
        the restart action's default.
    type: str
    default: ""
  reboot_msg:
    description:
      - Message shown to logged-in users before a restart.
    type: str
    default: Restart by fleetops.sophos.reboot_cycle (OS and Sophos maintenance)
  guard_only:
    description:
      - Only read and check the maintenance window (the role's C(window) entry point); restart nothing.
        The result's C(deferred) says whether one restart with its settle no longer fits.
    type: bool
    default: false
  exclude:
    description:
      - The host is excluded from the run (the C(fleetops.sophos.maintenance) and C(fleetops.sophos.restart)
        playbooks' C(maintenance_exclude)) - it is read (the record shows what is pending on it; a host that cannot
        be read is recorded all the same), never changed, and recorded V(deferred) with C(excluded) set. The
        result's C(deferred) is true. No window guard, no cycle.
    type: bool
    default: false
  exclude_reason:
    description:
      - With O(exclude), why the host is excluded (C(maintenance_exclude_reason)); the record's message says it.
    type: str
    default: ""
  stop_at:
    description:
      - Hook points to return at, with the cycle's state in RV(cycle) - C(before_restart) (before each restart)
        and C(after_restart) (once the host answers again, before the settle). Call the action again with
        O(resume) to go on.
    type: list
    elements: str
    choices: [before_restart, after_restart]
    default: []
  hook_files:
    description:
      - The task files the role runs at each hook point, as its variables give them (an empty one is no hook). The
        action finds each one - a relative path counts from the directory ansible-playbook runs in, then from the
        playbook's directory (C(playbook_dir)) - and returns where in RV(hook_files).
      - A hook file that is missing or is not a YAML list of tasks fails the first call, naming the variable and
        where it looked, before anything on the host is touched. The paths found are carried in RV(cycle), and a
        O(resume) includes those without looking again (its own O(hook_files) are not read).
    type: dict
    suboptions:
      before_restart:
        description: The before-restart hook's tasks (the role's C(reboot_cycle_before_restart_tasks)).
        type: str
      after_restart:
        description: The after-restart hook's tasks (C(reboot_cycle_after_restart_tasks)).
        type: str
      after_cycle:
        description: The after-cycle hook's tasks (C(reboot_cycle_after_cycle_tasks)).
        type: str
  resume:
    description:
      - RV(cycle) of the previous call, to go on from the hook point it stopped at.
      - RV(cycle) carries the cycle's settings except O(health_checks) and O(health_checks_before), which can
        hold credentials (it is a registered result, shown with C(-v)); give those again with O(resume), as
        the role does. Other ones are refused.
    type: dict
  abort:
    description:
      - With O(resume), end the cycle stopped at a hook point instead of going on (its hook failed) - the host's
        silence expired, its group slots freed, a C(failed) notification sent; the record is C(failed) with
        this text as its message. The role calls it when a before- or after-restart hook fails.
    type: str
  tier_batch:
    description:
      - The batch's hosts as it started (the role passes the maintenance playbook's batch, else
        C(ansible_play_batch)). The action works out this host's tier's turn from the play's variables - how each
        lower-tier host of the batch ended (reached its cycle and its C(sophos_reboot_cycle) record, deferred, or
        lost on its way), the batch's tiers, and since when the host waited. A lower-tier failure defers the host
        before its first restart (O(tier_on_failure)). With more than one tier the play must use the linear
        strategy. Not read on a O(resume).
    type: list
    elements: str
  tier_turn:
    description:
      - The tier's turn as the deprecated C(fleetops.sophos.tier_hold) filter returns it - C(hold) (why the host
        must not restart - a lower tier failed - or null), C(after) (the lower-tier hosts that finished their
        cycle), C(failed), C(turns) (the batch's tiers) and C(since) (when the host reached its cycle). Prefer
        O(tier_batch); this one wins when both are given.
    type: dict
  central_update_check:
    description:
      - Right after each restart (once the host answers, before the settle), ask Sophos Central for an update
        check of the host from the controller, so a Sophos update queued behind the restart starts sooner.
      - The endpoint is the host's C(sophos_central.id) (the P(fleetops.sophos.central#inventory) inventory), else
        the one whose short hostname is the inventory name.
      - Off without credentials (O(central_options) or E(SOPHOS_CENTRAL_CLIENT_ID) / E(SOPHOS_CENTRAL_CLIENT_SECRET)).
        A failed request is a warning and an entry of RV(sophos_reboot_cycle.central_update_checks), never a failed
        cycle. Check mode asks nothing.
    type: raw
    default: false
  central_options:
    description:
      - Connection options for O(central_update_check), as M(fleetops.sophos.central_update_check) takes them; an
        option left out comes from the module's environment variables or default.
    type: dict
  silence:
    description:
      - An Alertmanager silence (v2 API) for the host - created just before its first restart (before a
        C(before_restart) stop), extended while the cycle runs (the same silence POSTed again with an end of
        now + O(silence.lease_minutes), at each step and every minute while a restart or a settle runs, also
        after a hook), expired when the cycle ends, however it ends. A run that dies leaves a silence that ends by
        itself within one lease.
      - A failed request is a warning and a line of RV(sophos_reboot_cycle.silence), never a change of the host's
        result. Check mode creates nothing and says what it would create (RV(sophos_reboot_cycle.silence)).
      - Empty or left out for none. Every problem of the option is named at once, before the host is touched.
    type: dict
    suboptions:
      url:
        description:
          - Base URL of the Alertmanager (its v2 API is under C(/api/v2)), for example
            C(https://alertmanager.example.com:9093). Required; credentials go in O(silence.auth).
        type: str
      matchers:
        description:
          - The silence's matchers (all must match). In a value, C({host}) is the inventory name and
            C({address}) the address the controller reaches the host at, regex-escaped in a regex matcher
            (C(web.example.com) becomes C(web\.example\.com)); one value at least must name the host.
          - Default - C(instance=~"{host}(:.*)?"), the host's Prometheus C(instance) label with or without a port.
        type: list
        elements: dict
        suboptions:
          name:
            description: The label name.
            type: str
            required: true
          value:
            description: The value, with C({host}) / C({address}).
            type: str
            required: true
          regex:
            description: The value is a regular expression (C(=~)).
            type: bool
            default: true
          equal:
            description: Match (C(=), C(=~)); false for C(!=), C(!~).
            type: bool
            default: true
      lease_minutes:
        description:
          - The silence's length from its last extension (minutes, 1 to 240). The cycle extends it to now + lease at
            each step and every minute (a third of a shorter lease) while a restart or a settle runs, so a run
            that dies leaves a silence that ends by itself within one lease.
        type: float
        default: 30
      timeout:
        description: Seconds to wait for one answer of Alertmanager (1 to 60).
        type: float
        default: 10
      validate_certs:
        description: Verify Alertmanager's TLS certificate.
        type: bool
        default: true
      allow_insecure:
        description: Send O(silence.auth)'s credential over a plain C(http://) URL (refused without it).
        type: bool
        default: false
      ca_path:
        description: PEM file of CA certificates to verify Alertmanager with.
        type: path
      auth:
        description: Credentials, when Alertmanager (or its proxy) asks for them - a user and password (basic) or a
          bearer token. Never logged, recorded or reported.
        type: dict
        suboptions:
          user:
            description: User name (basic authentication).
            type: str
          password:
            description: Its password.
            type: str
          token:
            description: A bearer token.
            type: str
extends_documentation_fragment:
  - fleetops.sophos.central.central_options
notes:
  - Runs one host's whole cycle in one task, so hosts of a batch do not wait for each other - as long as
    C(forks) is at least the batch size (C(serial)). With fewer forks, hosts beyond the forks start only when
    earlier hosts have finished their cycle.
  - The restarts and readings are made by the inner actions M(ansible.builtin.reboot),
    M(ansible.windows.win_reboot) and M(fleetops.sophos.reboot_facts) with the options above;
    C(module_defaults) set for those modules do not reach them.
  - Async is refused (C(async)/C(poll) on the task); the action waits itself.
  - Check mode reads and plans once; C(changed) says whether a restart would be made; nothing is restarted.
  - Reading Sophos status files on Linux needs root; run with C(become).
  - The restarts, readings and update trigger (O(trigger_update)) run on the host through this task's
    connection and C(become) settings.
seealso:
  - module: fleetops.sophos.reboot_facts
  - module: ansible.builtin.reboot
  - module: ansible.windows.win_reboot
  - module: fleetops.sophos.win_sophos_update_now
attributes:
  action:
    support: full
    description: Runs on the controller and drives inner actions on the host.
  async:
    support: none
    description: Refused; the cycle waits for restarts and settles itself.
  check_mode:
    support: full
    description: Plans once and reports what a run would do; restarts nothing.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: [posix, windows]
    description: Linux over SSH, Windows over WinRM or SSH (PowerShell).
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Restart, settle and verify (poll mode, two restarts at most)
  fleetops.sophos.reboot_cycle:
    settle_minutes: 20
    poll_seconds: 30
    window_end: "2026-11-28T06:00:00+01:00"
  register: cycle
  become: true

- name: Start Sophos' post-boot update right after each restart, so the settle ends sooner
  fleetops.sophos.reboot_cycle:
    trigger_update: true
  become: true

- name: A fixed settle of 20 minutes after each boot, as Sophos advises
  fleetops.sophos.reboot_cycle:
    settle_mode: fixed
  register: cycle

- name: Show what the cycle did
  ansible.builtin.debug:
    msg: "{{ cycle.sophos_reboot_cycle.status }}: {{ cycle.sophos_reboot_cycle.message }}"
"""

RETURN = r"""
sophos_reboot_cycle:
  description:
    - The cycle's record (schema in C(docs/architecture.md)), as the role stores it in the C(sophos_reboot_cycle)
      host fact and the report reads it. Returned when the cycle ended (not at a hook stop).
  returned: when the cycle ended
  type: dict
  contains:
    status:
      description: C(ok) (nothing to do), C(rebooted), C(deferred), C(failed) or C(still_pending).
      type: str
      sample: rebooted
    check_mode:
      description: The record of a check-mode run.
      type: bool
    would_reboot:
      description: Check mode - a restart would be made now.
      type: bool
    restarts:
      description: Restarts made.
      type: int
      sample: 2
    max_cycles:
      description: The restart limit in force.
      type: int
    boots:
      description:
        - The boot before the cycle, then one entry per restart.
      type: list
      elements: dict
      contains:
        boot_id:
          description: The host's boot id (Linux; null on Windows).
          type: str
        last_boot:
          description: Last boot time, ISO 8601 UTC.
          type: str
        restarted_at:
          description: When the restart returned (controller clock, ISO 8601 UTC). Not in the first entry.
          type: str
        restart_seconds:
          description:
            - How long the restart took (the restart action's C(elapsed)), to tune O(restart_expected_minutes) and
              O(reboot_timeout). Not in the first entry.
          type: float
        boot_id_before:
          description: The boot id before this restart. Not in the first entry.
          type: str
        reasons:
          description:
            - What caused this restart, as C(id)/C(detail) pairs (the strong reasons then pending; C(force) for a
              forced restart). Not in the first entry.
          type: list
          elements: dict
        queued_update:
          description:
            - True when this restart was made because a strong Sophos reason came back after an earlier restart's
              settle (a queued Sophos update). Not in the first entry.
          type: bool
        update_triggered:
          description:
            - With O(trigger_update) only, not in the first entry - true when Sophos' update was started (or one
              already running joined) after this restart, false when the trigger failed (a warning), null when
              nothing could be triggered (no unit, no C(SAUcli.exe), no Sophos; said once per cycle).
          type: bool
        update_trigger:
          description: With O(trigger_update) only, not in the first entry - what the trigger did, in words.
          type: str
    settles:
      description: One entry per settle.
      type: list
      elements: dict
      contains:
        mode:
          description: C(poll) or C(fixed).
          type: str
        seconds:
          description: Seconds from the boot to the end of the settle (host clock).
          type: float
        ended:
          description: C(evidence), C(reboot_required), C(interval) or C(skipped).
          type: str
        reason:
          description: Why the settle ended, in words.
          type: str
        started_at:
          description: When the settle began (controller clock, ISO 8601 UTC).
          type: str
        ended_at:
          description: When the settle ended (controller clock, ISO 8601 UTC).
          type: str
        readings:
          description:
            - How many times the host was read while the cycle waited (each reading printed one progress line);
              0 when the settle had already ended at its first look.
          type: int
    reasons_before:
      description: Reason ids pending at the start.
      type: list
      elements: str
    reasons_after:
      description: Reason ids pending at the end.
      type: list
      elements: str
    message:
      description: What happened, in words.
      type: str
    warning:
      description: A problem the settings turned into a warning, else null.
      type: str
    started:
      description: Start of this host's cycle, ISO 8601 UTC.
      type: str
    finished:
      description: End of this host's cycle, ISO 8601 UTC.
      type: str
    duration_seconds:
      description: This host's own cycle time (C(finished) - C(started)).
      type: float
    unreachable:
      description: The cycle broke off because the host stopped answering.
      type: bool
    expected:
      description:
        - What the window fit counted one more restart at, and where each figure came from.
        - C(restart_from) and C(settle_from) are C(history) (the host's own, O(learned_durations)) or C(setting)
          (O(restart_expected_minutes) by OS, O(settle_minutes)); C(restart_samples) and C(settle_samples) how many
          measured values a history figure is of (0 for a setting).
      type: dict
      returned: when the cycle ran (not for a host that could not be read)
      sample: {restart_minutes: 6.0, restart_from: history, restart_samples: 10, settle_minutes: 20.0,
               settle_from: setting, settle_samples: 0}
    central_update_checks:
      description:
        - With O(central_update_check) - one entry per restart - C(restart) (its number), C(status) (V(requested),
          V(failed) or V(skipped) without credentials), C(endpoint_id), C(id) (Central's request id) and C(message)
          (why it failed or was skipped).
      returned: with O(central_update_check)
      type: list
      elements: dict
    notifications:
      description:
        - The per-host notifications sent for this host (C(report_notify) targets that opted in to its events,
          see C(docs/notify.md)) - C(type), C(target) (its name, or its type and the URL's scheme and host,
          never the URL), C(event), C(host), C(ok), C(status) (the HTTP status) and C(error).
        - The action reads the report role's C(report_notify), C(report_notify_link) and
          C(report_notify_in_check_mode) variables; a failed notification is a warning and never changes the
          cycle's outcome.
      returned: when a C(report_notify) target asked for a per-host event
      type: list
      elements: dict
    groups:
      description: The host's restart groups (O(group)).
      returned: with O(group)
      type: list
      elements: str
    slot_wait_seconds:
      description: Seconds the host waited for its groups' slots; null when it needed no slot (no restart).
      returned: with O(group)
      type: float
    window_start:
      description: The window's start (UTC ISO 8601), resolved once.
      returned: with O(window_start)
      type: str
    window_start_wait:
      description:
        - The wait for the window's start before the first restart - C(seconds), C(from), C(to) (UTC ISO 8601, the
          controller's clock); null when the cycle did not wait (nothing to restart, the start had come, check mode).
      returned: with O(window_start)
      type: dict
    silence:
      description:
        - With O(silence) and a restart (or a check-mode run that would restart) - C(status) (V(expired) at the
          cycle's end, V(lapsing) when expiring it failed, V(failed) when it could not be created, V(check_mode)),
          C(id) (Alertmanager's silence id), C(from) and C(to) (the silence's start and end, RFC 3339 UTC),
          C(extensions), C(matchers) (as sent), C(lease_minutes) and C(warning) (the first failed request, else
          null). No credential.
      returned: with O(silence), when the host was (or would be) restarted
      type: dict
    tier:
      description: The host's restart tier (O(tier)).
      returned: with O(tier_batch) or O(tier_turn), when the batch has tiers
      type: int
    tier_after:
      description: The lower-tier hosts of the batch that finished their cycle before this host's began.
      returned: with O(tier_batch) or O(tier_turn), when the batch has tiers
      type: list
      elements: str
    tier_wait_seconds:
      description: Seconds from the host reaching its cycle until its tier's turn came.
      returned: with O(tier_batch) or O(tier_turn), when the batch has tiers
      type: float
    stopped_groups:
      description: The groups this host's failure stopped (it failed after it took its slots).
      returned: when the host stopped its groups
      type: list
      elements: str
    health_checks:
      description:
        - One entry per health check of the last pass - C(check) (the check in words, a URL without credentials),
          C(when) (V(before) or V(after)), C(passed), C(observed) (status, error or rc), C(polls) and C(seconds).
      returned: with O(health_checks) or O(health_checks_before)
      type: list
      elements: dict
hook_files:
  description: With O(hook_files) - the path each hook's task file is included from, by hook point.
  returned: with O(hook_files)
  type: dict
  sample: {before_restart: /srv/awx/project/hooks/drain.yml}
deferred:
  description: With O(guard_only) - one restart with its settle no longer fits the window.
  returned: with O(guard_only)
  type: bool
cycle:
  description:
    - C(done) is true when the cycle ended; then C(failed) says the host failed (the task fails) and C(broken)
      that the cycle broke off (a lost host, a failed restart, readings that kept failing). At a hook stop C(done) is false, C(at) names the hook point
      (C(before_restart) or C(after_restart)), C(restart) the number of the restart it belongs to, and the
      rest is the state to pass back as O(resume).
  returned: unless the options are invalid
  type: dict
  sample: {done: false, at: before_restart, restart: 1}
ansible_facts:
  description: The last reading, as C(ansible_facts.sophos_reboot) (see M(fleetops.sophos.reboot_facts)).
  returned: when the host could be read
  type: dict
"""
