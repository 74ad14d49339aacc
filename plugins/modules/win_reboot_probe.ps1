#!powershell
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Internal probe of fleetops.sophos.reboot_facts. It only reads and returns raw values; every meaning is
# given on the controller by plugins/module_utils/_assess.py (the Windows readings: _assess_windows.py),
# which unit tests can reach and PowerShell cannot. One failed read becomes an error entry, never a failed
# module: a try per registry value, per service property and per CIM call.

$spec = @{
    options = @{
        sophos_registry_roots = @{
            type = 'list'
            elements = 'str'
            default = @('SOFTWARE\WOW6432Node\Sophos', 'SOFTWARE\Sophos')
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

# Subkeys of each Sophos root, with how many levels of children to read (Details holds one subkey per
# component GUID).
$sophosSubkeys = @{
    'AutoUpdate' = 0
    'AutoUpdate\UpdateStatus' = 0
    'AutoUpdate\UpdateStatus\VolatileFlags' = 0
    'AutoUpdate\UpdateStatus\Details' = 1
    'Health\Status' = 0
}
$osKeys = @(
    'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing',
    'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending',
    'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired',
    'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\PostRebootReporting',
    'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Services\Pending',
    'SYSTEM\CurrentControlSet\Control\Session Manager',
    'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName',
    'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName',
    'SYSTEM\CurrentControlSet\Services\Netlogon',
    'SOFTWARE\Microsoft\ServerManager',
    'SOFTWARE\Microsoft\ServerManager\ServicingStorage\ServerComponentCache',
    'SOFTWARE\Microsoft\Updates',
    'SOFTWARE\Microsoft\Updates\UpdateExeVolatile',
    'SOFTWARE\WOW6432Node\Microsoft\Updates\UpdateExeVolatile',
    'SYSTEM\CurrentControlSet\Services\Sophos Endpoint Defense'
)
$uninstallKeys = @(
    'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
    'SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
)
$uninstallValues = @('DisplayName', 'DisplayVersion', 'Publisher', 'InstallDate')
# Sophos services whose names do not start with "Sophos".
$otherServiceNames = @('SntpService', 'hmpalertsvc', 'SAVService', 'SAVAdminService')
$cimTimeout = 30
$invariant = [System.Globalization.CultureInfo]::InvariantCulture
$isoFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
$errors = [System.Collections.Generic.List[Object]]@()

# The 64-bit view always, so that WOW6432Node is the literal 32-bit view even from a 32-bit host process.
$hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey(
    [Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)

Function Read-RegistryKey {
    param([String]$Path, [Int]$Depth, [String[]]$Names)
    $reading = @{ exists = $false }
    try {
        $key = $hklm.OpenSubKey($Path)
        if ($null -ne $key) {
            try {
                $values = @{}
                foreach ($name in $key.GetValueNames()) {
                    if ($Names -and $Names -notcontains $name) {
                        continue
                    }
                    try {
                        $values[$name] = @{
                            type = $key.GetValueKind($name).ToString()
                            value = $key.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
                        }
                    }
                    catch {
                        $values[$name] = @{ error = $_.Exception.Message }
                    }
                }
                $subkeys = @($key.GetSubKeyNames())
                $reading = @{ exists = $true; values = $values; subkeys = $subkeys }
                if ($Depth -gt 0) {
                    $children = @{}
                    foreach ($sub in $subkeys) {
                        $children[$sub] = Read-RegistryKey -Path "$Path\$sub" -Depth ($Depth - 1)
                    }
                    $reading.children = $children
                }
            }
            finally {
                $key.Dispose()
            }
        }
    }
    catch {
        $reading = @{ exists = $null; error = $_.Exception.Message }
    }
    $reading
}

# Installed programs whose DisplayName starts with "Sophos", with four of their values.
Function Read-UninstallKey {
    param([String]$Path)
    $reading = Read-RegistryKey -Path $Path -Depth 0 -Names @('DisplayName')
    if ($reading.exists) {
        $children = @{}
        foreach ($sub in $reading.subkeys) {
            $entry = Read-RegistryKey -Path "$Path\$sub" -Depth 0 -Names $uninstallValues
            # An entry that cannot be read is kept with its error: it may be a Sophos one.
            $keep = $null -eq $entry.exists
            if ($entry.exists -and $entry.values.ContainsKey('DisplayName')) {
                $displayName = $entry.values['DisplayName']
                $keep = $displayName.ContainsKey('error') -or [String]$displayName['value'] -like 'Sophos*'
            }
            if ($keep) {
                $children[$sub] = $entry
            }
        }
        $reading = @{ exists = $true; children = $children }
    }
    $reading
}

$module.Result.now = [DateTime]::UtcNow.ToString($isoFormat, $invariant)

$module.Result.last_boot = $null
try {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem -OperationTimeoutSec $cimTimeout -ErrorAction Stop
    $module.Result.last_boot = $os.LastBootUpTime.ToUniversalTime().ToString($isoFormat, $invariant)
}
catch {
    $errors.Add(@{ source = 'os:last_boot'; error = $_.Exception.Message })
}

$sophos = foreach ($root in $module.Params.sophos_registry_roots) {
    $keys = @{}
    foreach ($sub in $sophosSubkeys.Keys) {
        $keys[$sub] = Read-RegistryKey -Path "$root\$sub" -Depth $sophosSubkeys[$sub]
    }
    @{ root = $root; keys = $keys }
}
$module.Result.sophos = @($sophos)

$osReadings = @{}
foreach ($path in $osKeys) {
    $osReadings[$path] = Read-RegistryKey -Path $path -Depth 0
}
$module.Result.os_keys = $osReadings

$uninstall = @{}
foreach ($path in $uninstallKeys) {
    $uninstall[$path] = Read-UninstallKey -Path $path
}
$module.Result.uninstall = $uninstall

# When Sophos' services were created: event 7045 ("A service was installed in the system") of the Service
# Control Manager in the System log, for Sophos' services only, newest first and bounded; and the time of the
# log's oldest record, which says how far back the log reaches (it wraps). An update does not write 7045 for a
# service that exists already; InstallDate of the Uninstall entries moves with every patch or repair.
$module.Result.service_installs = $null
try {
    $oldest = @(Get-WinEvent -LogName 'System' -MaxEvents 1 -Oldest -ErrorAction Stop)
    $installs = @()
    try {
        $filter = @{ LogName = 'System'; ProviderName = 'Service Control Manager'; Id = 7045 }
        $installs = @(Get-WinEvent -FilterHashtable $filter -MaxEvents 2000 -ErrorAction Stop)
    }
    catch {
        # Get-WinEvent reports "nothing matched" as an error.
        if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
            throw
        }
    }
    $events = @(foreach ($install in $installs) {
            $serviceName = [String]$install.Properties[0].Value
            if ($serviceName -like 'Sophos*' -or $serviceName -like 'HitmanPro*' -or $otherServiceNames -contains $serviceName) {
                @{
                    time = $install.TimeCreated.ToUniversalTime().ToString($isoFormat, $invariant)
                    service = $serviceName
                }
            }
        })
    $module.Result.service_installs = @{
        oldest = $oldest[0].TimeCreated.ToUniversalTime().ToString($isoFormat, $invariant)
        events = $events
        complete = $installs.Count -lt 2000
    }
}
catch {
    $module.Result.service_installs = @{ error = $_.Exception.Message }
}

# Each property on its own: ServiceController.StartType does not exist on older .NET Framework, and one
# missing property must not lose the other services. Start and DelayedAutostart come from the registry.
$module.Result.services = $null
try {
    $found = @(Get-Service -ErrorAction SilentlyContinue -ErrorVariable serviceErrors | Where-Object {
            $_.Name -like 'Sophos*' -or $_.DisplayName -like 'Sophos*' -or $otherServiceNames -contains $_.Name
        })
    foreach ($serviceError in $serviceErrors) {
        $module.Warn("services: $($serviceError.Exception.Message)")
    }
    $module.Result.services = @(foreach ($service in $found) {
            $entry = @{ name = [String]$service.Name; errors = @{} }
            foreach ($property in @('DisplayName', 'Status', 'StartType')) {
                try {
                    $entry[$property] = [String]$service.$property
                }
                catch {
                    $entry[$property] = $null
                    $entry.errors[$property] = $_.Exception.Message
                }
            }
            @{
                name = $entry.name
                display_name = $entry.DisplayName
                status = $entry.Status
                start_type = $entry.StartType
                errors = $entry.errors
                registry = Read-RegistryKey -Path "SYSTEM\CurrentControlSet\Services\$($entry.name)" -Depth 0 -Names @('Start', 'DelayedAutostart')
            }
        })
}
catch {
    $errors.Add(@{ source = 'services'; error = $_.Exception.Message })
}

# The SCCM client's own answer, raw: ReturnValue and the two properties as they came ($null stays $null,
# never "no"). No ROOT\ccm namespace, or one left behind without the CcmExec service = no client = no
# reading (null). CcmExec not running yet (it starts late after boot) = an error: unknown, not "no".
$module.Result.sccm = $null
try {
    $ccm = @(Get-CimInstance -Namespace 'ROOT' -ClassName '__NAMESPACE' -Filter "Name='ccm'" -OperationTimeoutSec $cimTimeout -ErrorAction Stop)
    $ccmExec = Get-Service -Name 'CcmExec' -ErrorAction SilentlyContinue
    if ($ccm.Count -gt 0 -and $null -ne $ccmExec) {
        if ([String]$ccmExec.Status -ne 'Running') {
            $module.Result.sccm = @{ error = "the SCCM client service CcmExec is $([String]$ccmExec.Status), not Running" }
        }
        else {
            $method = @{
                Namespace = 'ROOT\ccm\ClientSDK'
                ClassName = 'CCM_ClientUtilities'
                MethodName = 'DetermineIfRebootPending'
                OperationTimeoutSec = $cimTimeout
                ErrorAction = 'Stop'
            }
            $pending = Invoke-CimMethod @method
            $module.Result.sccm = @{
                return_value = $pending.ReturnValue
                reboot_pending = $pending.RebootPending
                hard_reboot_pending = $pending.IsHardRebootPending
            }
        }
    }
}
catch {
    $module.Result.sccm = @{ error = $_.Exception.Message }
}

foreach ($entry in $errors) {
    $module.Warn("$($entry.source): $($entry.error)")
}
$module.Result.errors = $errors
$module.ExitJson()
