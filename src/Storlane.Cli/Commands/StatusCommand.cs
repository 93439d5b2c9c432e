using System.CommandLine;
using System.Text.Json;
using Storlane.Cli.Configuration;
using Storlane.Management;
using Storlane.Storage;
using Storlane.Target.Observability;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane status</c> and <c>storlane sessions</c>: what a running serve serves and who is
/// logged in, read from its management API; tables for people, <c>--json</c> for scripts.
/// </summary>
internal static class StatusCommand
{
    private const string ExitCodesHelp = " Exit code 0: shown; 1: no serve answered or it refused; 2: bad options.";

    public static Command CreateStatus()
    {
        var (api, json) = CommonOptions();
        var command = new Command("status", "Show a running 'storlane serve': its portals and what listens now, its targets and LUNs (backend, size, block sizes, ALUA state, I/O counts) and how many sessions each has." + ExitCodesHelp)
        {
            api,
            json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, api, json, async (client, output, asJson) =>
        {
            var targets = await client.GetAsync<TargetsResponse>("/api/v1/targets", cancellationToken).ConfigureAwait(false);
            var sessions = await client.GetAsync<List<SessionView>>("/api/v1/sessions", cancellationToken).ConfigureAwait(false);
            if (asJson)
            {
                output.WriteLine(JsonSerializer.Serialize(new { targets.Portals, targets.Targets, Sessions = sessions }, ManagementClient.Json));
                return;
            }

            StatusTables.WriteStatus(output, client.SocketPath, targets, sessions);
        }));
        return command;
    }

    public static Command CreateSessions()
    {
        var (api, json) = CommonOptions();
        var command = new Command("sessions", "List the sessions logged in to a running 'storlane serve': TSIH, initiator, target, address, digests, command window and outstanding commands." + ExitCodesHelp)
        {
            api,
            json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, api, json, async (client, output, asJson) =>
        {
            var sessions = await client.GetAsync<List<SessionView>>("/api/v1/sessions", cancellationToken).ConfigureAwait(false);
            if (asJson)
            {
                output.WriteLine(JsonSerializer.Serialize(sessions, ManagementClient.Json));
                return;
            }

            StatusTables.WriteSessions(output, sessions);
        }));
        return command;
    }

    private static (Option<FileInfo?> Api, Option<bool> Json) CommonOptions() =>
        (new Option<FileInfo?>("--api")
        {
            Description = $"The management API's Unix socket. Default: where serve puts it ({StorlaneFolders.ApiSocketRule}), or /run/storlane/api.sock for the system service.",
            HelpName = "socket",
        },
        new Option<bool>("--json") { Description = "Print JSON (sizes in bytes) instead of tables." });

    private static async Task<int> RunAsync(ParseResult parseResult, Option<FileInfo?> api, Option<bool> json, Func<ManagementClient, TextWriter, bool, Task> show)
    {
        var configuration = parseResult.InvocationConfiguration;
        using var client = ManagementClient.Open(parseResult.GetValue(api)?.FullName);
        try
        {
            await show(client, configuration.Output, parseResult.GetValue(json)).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (ManagementClientException e)
        {
            await configuration.Error.WriteLineAsync("storlane: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
