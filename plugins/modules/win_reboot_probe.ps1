#!powershell
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Internal probe of fleetops.sophos.reboot_facts. It only reads and returns raw values; every meaning is
# given on the controller by plugins/module_utils/_assess.py, which unit tests can reach and PowerShell
# cannot. One failed read becomes an error entry, never a failed module.

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
    'SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending',
    'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired',
    'SYSTEM\CurrentControlSet\Control\Session Manager',
    'SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName',
    'SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName',
    'SYSTEM\CurrentControlSet\Services\Netlogon',
    'SOFTWARE\Microsoft\ServerManager',
    'SOFTWARE\Microsoft\Updates',
    'SYSTEM\CurrentControlSet\Services\Sophos Endpoint Defense'
)
# Sophos services whose names do not start with "Sophos".
$otherServiceNames = @('SntpService', 'hmpalertsvc', 'SAVService', 'SAVAdminService')
$invariant = [System.Globalization.CultureInfo]::InvariantCulture
$isoFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
$errors = [System.Collections.Generic.List[Object]]@()

# The 64-bit view always, so that WOW6432Node is the literal 32-bit view even from a 32-bit host process.
$hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey(
    [Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)

Function Read-RegistryKey {
    param([String]$Path, [Int]$Depth)
    $reading = @{ exists = $false }
    try {
        $key = $hklm.OpenSubKey($Path)
        if ($null -ne $key) {
            try {
                $values = @{}
                foreach ($name in $key.GetValueNames()) {
                    $values[$name] = @{
                        type = $key.GetValueKind($name).ToString()
                        value = $key.GetValue($name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
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

$module.Result.now = [DateTime]::UtcNow.ToString($isoFormat, $invariant)

$module.Result.last_boot = $null
try {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop
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

$module.Result.services = $null
try {
    $found = Get-Service -ErrorAction SilentlyContinue | Where-Object {
        $_.Name -like 'Sophos*' -or $_.DisplayName -like 'Sophos*' -or $otherServiceNames -contains $_.Name
    }
    $module.Result.services = @($found | ForEach-Object {
            @{
                name = $_.Name
                display_name = $_.DisplayName
                status = $_.Status.ToString()
                start_type = $_.StartType.ToString()
            }
        })
}
catch {
    $errors.Add(@{ source = 'services'; error = $_.Exception.Message })
}

$module.Result.errors = $errors
$module.ExitJson()
