using System.CommandLine;

namespace Storlane.Cli.Commands;

/// <summary>The `storlane` command tree. Kept thin: each command hands its options to a runner.</summary>
public static class StorlaneCommandLine
{
    public static RootCommand Create() => VersionAction.Use(new("Storlane: a software SAN in C#. 'storlane serve' runs an iSCSI target. "
        + "Every command exits 0 on success, 1 on a failure at run time, 2 on a usage or config error. "
        + "Sizes are binary everywhere: 1G = 1GiB = 2^30 bytes (GB is refused as ambiguous).")
    {
        ServeCommand.Create(),
        StatusCommand.CreateStatus(),
        StatusCommand.CreateSessions(),
        ChangeCommands.CreateLun(),
        ChangeCommands.CreateAcl(),
        ChangeCommands.CreateLogout(),
        DiskCommand.Create(),
        BenchCommand.Create(),
        LabCommand.Create(),
        DemoCommand.Create(),
        IoCommand.Create(),
        CompletionCommand.Create(),
    });

    /// <summary>Parses and runs <paramref name="args"/>; output and error go where <paramref name="configuration"/> says (the console by default).</summary>
    public static Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();

        // serve handles SIGINT/SIGTERM itself (ShutdownSignals): a graceful stop flushes LUN files
        // and may take longer than System.CommandLine's 2-second termination grace.
        configuration.ProcessTerminationTimeout = null;
        var parseResult = Create().Parse(args);
        return UsageErrors.Found(parseResult)
            ? Task.FromResult(UsageErrors.Report(parseResult, configuration.Error))
            : parseResult.InvokeAsync(configuration);
    }
}
