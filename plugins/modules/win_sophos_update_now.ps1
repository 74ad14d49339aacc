#!powershell
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Internal step of fleetops.sophos.reboot_cycle (trigger_update): Sophos AutoUpdate's own "update now",
# SAUcli.exe UpdateNow, from the AutoUpdate install directory where one exists. It runs as a one-shot
# scheduled task with a fixed name, so that it survives the end of this module: under WinRM, PSRP and SSH
# the shell's job object ends every child process still running when the module returns. The task is removed
# once the tool has exited; a task still running is left to end on its own (its time limit is one hour) and is
# joined, not started twice, by the next call. It reports what it found and how the tool exited; the meaning
# is given on the controller by plugins/module_utils/_cycle.py.

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

$maxWait = 600
$taskName = 'fleetops-sophos-update-now'
# Task Scheduler's "task is running" and "task has not run yet" results.
$stillRunning = @(267009, 267011)
$wait = $module.Params.wait_seconds
if ($wait -lt 0 -or $wait -gt $maxWait) {
    $module.FailJson("wait_seconds must be between 0 and $maxWait, got $wait")
}

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
$module.Result.wait_seconds = $wait
$module.Result.task = $taskName
$module.Result.joined = $false
$module.Result.would_run = $null

foreach ($dir in $searched) {
    $candidate = Join-Path -Path $dir -ChildPath 'SAUcli.exe'
    if (Test-Path -LiteralPath $candidate -PathType Leaf) {
        $module.Result.path = $candidate
        break
    }
}
if ($null -eq $module.Result.path) {
    $module.ExitJson()
}
if ($module.CheckMode) {
    $module.Result.would_run = "$($module.Result.path) UpdateNow as the one-shot scheduled task $taskName (SYSTEM), waited for at most $wait s"
    $module.ExitJson()
}

$existing = Get-ScheduledTask -TaskName $taskName -ErrorAction SilentlyContinue
if ($null -ne $existing) {
    if ([String]$existing.State -eq 'Running') {
        # An update started by an earlier call is still running: join it, start nothing twice.
        $module.Result.joined = $true
        $module.ExitJson()
    }
    Unregister-ScheduledTask -TaskName $taskName -Confirm:$false -ErrorAction Stop
}

$action = New-ScheduledTaskAction -Execute $module.Result.path -Argument 'UpdateNow'
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Hours 1) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
$task = @{
    TaskName = $taskName
    Action = $action
    Principal = $principal
    Settings = $settings
    Description = 'fleetops.sophos reboot_cycle trigger_update: SAUcli.exe UpdateNow, once; removed when it has run'
    ErrorAction = 'Stop'
}
$null = Register-ScheduledTask @task
$module.Result.changed = $true
Start-ScheduledTask -TaskName $taskName -ErrorAction Stop

$deadline = [DateTime]::UtcNow.AddSeconds($wait)
$running = $true
while ($running -and [DateTime]::UtcNow -lt $deadline) {
    Start-Sleep -Milliseconds 500
    $state = [String](Get-ScheduledTask -TaskName $taskName -ErrorAction Stop).State
    $info = Get-ScheduledTaskInfo -TaskName $taskName -ErrorAction Stop
    $running = @('Running', 'Queued') -contains $state -or $stillRunning -contains $info.LastTaskResult
}
if (-not $running) {
    $module.Result.exited = $true
    $module.Result.rc = [Int64]$info.LastTaskResult
    Unregister-ScheduledTask -TaskName $taskName -Confirm:$false -ErrorAction Stop
}
$module.ExitJson()
