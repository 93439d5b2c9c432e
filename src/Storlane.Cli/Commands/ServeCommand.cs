using System.CommandLine;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Cli.Serving;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane serve [-c FILE] [--data-dir DIR] [-l LEVEL]</c>.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "YAML config file (portals, targets, LUNs, ACLs, CHAP). Without it: the built-in config, "
                + "iqn.2026-11.io.storlane:default on 127.0.0.1:3260 and 127.0.0.2:3260 with two 1 GiB LUNs (512- and 4096-byte sectors).",
            HelpName = "file",
        };
        var dataDirectory = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Folder for LUN image files; relative 'path' values in the config are resolved against it. "
                + $"Default: {StorlaneFolders.Rule}; serve logs the folder it uses at start.",
            HelpName = "dir",
            DefaultValueFactory = _ => new DirectoryInfo(StorlaneFolders.Data(StorlaneFolders.FromProcess)),
        };
        var logLevel = new Option<string>("--log-level", "-l")
        {
            Description = "Least severe log level written to the console: trace|debug|info|warning|error|critical|none, "
                + "optionally followed by levels per category, e.g. info,Storlane.Target.Login=debug,Storlane.Target.Pdus=trace "
                + "(categories: docs/logging.md).",
            HelpName = LogLevelSpec.Syntax,
            DefaultValueFactory = _ => "info",
        };
        logLevel.CompletionSources.Add([.. ConsoleLogging.Levels.Keys]);
        logLevel.Validators.Add(result =>
        {
            if (!LogLevelSpec.TryParse(result.GetValueOrDefault<string>() ?? "", out _, out var error))
            {
                result.AddError("--log-level: " + error);
            }
        });

        var command = new Command("serve", "Run the iSCSI target until Ctrl-C or SIGTERM; under systemd (Type=notify) it reports ready once every portal listens. "
            + "Exit code 0: stopped cleanly; 1: could not start; 2: bad arguments or config refused (stderr says file:line:column: reason).")
        {
            config,
            dataDirectory,
            logLevel,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            // The validator above refused anything TryParse cannot read.
            _ = LogLevelSpec.TryParse(parseResult.GetRequiredValue(logLevel), out var levels, out _);
            var settings = new ServeSettings(
                parseResult.GetValue(config)?.ToString(),
                parseResult.GetRequiredValue(dataDirectory).ToString(),
                levels)
            {
                NotifySocket = Environment.GetEnvironmentVariable(SystemdNotify.Variable),
                ApiSocket = StorlaneFolders.ApiSocket(StorlaneFolders.FromProcess, parseResult.GetRequiredValue(dataDirectory).ToString()),
            };
            return new ServeRunner(settings, parseResult.InvocationConfiguration.Error).RunAsync(cancellationToken);
        });
        return command;
    }
}
