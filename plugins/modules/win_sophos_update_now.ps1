#!powershell
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Internal step of fleetops.sophos.reboot_cycle (trigger_update): Sophos AutoUpdate's own "update now",
# SAUcli.exe UpdateNow, from the AutoUpdate install directory where one exists. It reports what it found
# and how the tool exited; the meaning is given on the controller by plugins/module_utils/_cycle.py.

$spec = @{
    options = @{
        wait_seconds = @{
            type = 'int'
            default = 30
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

# Newer agents install AutoUpdate under Program Files, older ones under Program Files (x86). The 64-bit
# Program Files whatever the bitness of this PowerShell process.
$programFiles = @(
    [Environment]::GetEnvironmentVariable('ProgramW6432'),
    [Environment]::GetEnvironmentVariable('ProgramFiles'),
    [Environment]::GetEnvironmentVariable('ProgramFiles(x86)')
) | Where-Object { $_ } | Select-Object -Unique
$searched = @($programFiles | ForEach-Object { Join-Path -Path $_ -ChildPath 'Sophos\AutoUpdate' })

$module.Result.searched = $searched
$module.Result.path = $null
$module.Result.exited = $false
$module.Result.rc = $null
$module.Result.output = ''
$module.Result.wait_seconds = $module.Params.wait_seconds

foreach ($dir in $searched) {
    $candidate = Join-Path -Path $dir -ChildPath 'SAUcli.exe'
    if (Test-Path -LiteralPath $candidate -PathType Leaf) {
        $module.Result.path = $candidate
        break
    }
}
if ($null -eq $module.Result.path -or $module.CheckMode) {
    $module.ExitJson()
}

$info = New-Object -TypeName System.Diagnostics.ProcessStartInfo
$info.FileName = $module.Result.path
$info.Arguments = 'UpdateNow'
$info.UseShellExecute = $false
$info.CreateNoWindow = $true
$info.RedirectStandardOutput = $true
$info.RedirectStandardError = $true
$process = [System.Diagnostics.Process]::Start($info)
$module.Result.changed = $true
# The output is read while waiting, so a tool that writes a lot cannot block on a full pipe.
$stdout = $process.StandardOutput.ReadToEndAsync()
$stderr = $process.StandardError.ReadToEndAsync()
if ($process.WaitForExit($module.Params.wait_seconds * 1000)) {
    $module.Result.exited = $true
    $module.Result.rc = $process.ExitCode
    $module.Result.output = ($stdout.Result + $stderr.Result).Trim()
}
$module.ExitJson()
