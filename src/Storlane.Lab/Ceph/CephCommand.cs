using System.Diagnostics;

namespace Storlane.Lab.Ceph;

/// <summary>
/// Runs one short Ceph tool (ceph, rbd, ceph-mon --mkfs) against a cluster's ceph.conf and returns
/// its standard output. Every run has a deadline: a tool waiting for a monitor that never answers
/// is killed by PID and reported, never left hanging.
/// </summary>
internal static class CephCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new CephClusterException($"cannot start '{Format(fileName, arguments)}'");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CephClusterException($"cannot start '{fileName}' ({e.Message}); install {CephPrerequisites.PackageList}", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                cancellationToken.ThrowIfCancellationRequested();
                throw new CephClusterException($"'{Format(fileName, arguments)}' did not finish within {timeout.TotalSeconds:0} s");
            }

            var stdout = await output.ConfigureAwait(false);
            var stderr = await error.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var detail = stderr.Trim();
                throw new CephClusterException($"'{Format(fileName, arguments)}' failed (exit {process.ExitCode}): {(detail.Length > 0 ? detail : stdout.Trim())}");
            }

            return stdout;
        }
    }

    public static string Format(string fileName, IReadOnlyList<string> arguments) => fileName + " " + string.Join(' ', arguments);
}
