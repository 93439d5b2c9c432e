using System.CommandLine;
using System.Runtime.InteropServices;
using Storlane.Lab.Ceph;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane lab ceph [--keep]</c>: a throwaway single-node Ceph (one monitor on 127.0.0.1, one
/// memstore OSD, one manager, pool rbd) for trying the rbd backend and for bench scripts. Prints
/// one <c>ready:</c> line with the conf path and runs until Ctrl-C or SIGTERM, then stops the
/// daemons by PID and removes its directory. Needs root and the Debian Ceph packages.
/// </summary>
internal static class LabCephCommand
{
    public static Command Create()
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the cluster's directory (conf, logs) after it stops." };
        var memory = new Option<int>("--memstore-mib") { Description = "Capacity of the in-memory OSD in MiB (memory is used only as data is written).", DefaultValueFactory = _ => 4096 };
        var command = new Command("ceph", "Run a throwaway single-node Ceph (memstore, auth none, pool rbd) until Ctrl-C: prints 'ready: conf=PATH mon=HOST pool=rbd'. Needs root and ceph-mon ceph-osd ceph-mgr ceph-common. Exit code 0: stopped; 1: could not start.")
        {
            keep,
            memory,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var mib = parseResult.GetValue(memory);
            if (mib < 64)
            {
                await error.WriteLineAsync("storlane lab ceph: --memstore-mib must be at least 64");
                return ExitCodes.ConfigError;
            }

            SingleNodeCeph cluster;
            try
            {
                cluster = await SingleNodeCeph.StartAsync(new SingleNodeCephOptions { KeepDirectory = parseResult.GetValue(keep), MemstoreBytes = (long)mib << 20 }, cancellationToken);
            }
            catch (CephClusterException e)
            {
                await error.WriteLineAsync("storlane lab ceph: " + e.Message);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }

            // Ctrl-C or SIGTERM ends the wait instead of the process, so the daemons are stopped and
            // the directory removed below.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }

            await using (cluster)
            {
                await output.WriteLineAsync($"ready: conf={cluster.ConfPath} mon={cluster.MonitorHost} pool={cluster.PoolName} pids={string.Join(',', cluster.DaemonPids)}");
                await output.FlushAsync(CancellationToken.None);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }

                await output.WriteLineAsync("stopping the cluster");
            }

            return 0;
        });
        return command;
    }
}
