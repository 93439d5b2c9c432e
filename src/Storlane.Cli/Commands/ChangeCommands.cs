using System.CommandLine;
using System.Text.Json;
using Storlane.Cli.Configuration;
using Storlane.Management;
using Storlane.Target.Observability;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane lun ...</c>, <c>storlane acl ...</c> and <c>storlane logout</c>: changes to a running
/// serve through its management API. Each change is checked like the config file, applied live and
/// saved to the file; the answer is one line (or <c>--json</c>).
/// </summary>
internal static class ChangeCommands
{
    private const string ExitCodesHelp = " Exit code 0: done; 1: refused (nothing changed) or no serve answered; 2: bad options.";

    public static Command CreateLun()
    {
        var lun = new Command("lun", "Change the LUNs of a running 'storlane serve': each change applies at once, tells the initiators with the matching unit attention, and is saved to serve's config file (the previous one kept as FILE.bak).")
        {
            LunAdd(), LunRemove(), LunGrow(), LunReadOnly(), LunOffline("offline", true), LunOffline("online", false), LunReset(),
        };
        return lun;
    }

    public static Command CreateAcl()
    {
        var acl = new Command("acl", "Change which initiators may log in to a target of a running 'storlane serve' (its allowed-initiators list; saved to the config file).");
        foreach (var add in new[] { true, false })
        {
            var target = TargetArgument();
            var initiator = new Argument<string>("initiator") { Description = "The initiator's iSCSI name (iqn... or eui...)." };
            var command = new Command(add ? "add" : "remove", add
                ? "Allow an initiator to log in. On a target open to every initiator the first name closes it to all others, and their sessions end." + ExitCodesHelp
                : "Remove an initiator: its sessions end, the others are kept. Removing the last name is refused (an empty list would open the target to everyone)." + ExitCodesHelp)
            {
                target, initiator,
            };
            Run(command, (parseResult, client, cancellationToken) => add
                ? client.ChangeAsync(HttpMethod.Post, TargetPath(parseResult.GetRequiredValue(target)) + "/acl", new { initiator = parseResult.GetRequiredValue(initiator) }, cancellationToken)
                : client.ChangeAsync(HttpMethod.Delete, TargetPath(parseResult.GetRequiredValue(target)) + "/acl/" + Uri.EscapeDataString(parseResult.GetRequiredValue(initiator)), null, cancellationToken));
            acl.Subcommands.Add(command);
        }

        return acl;
    }

    public static Command CreateLogout()
    {
        var tsih = new Argument<ushort>("tsih") { Description = "The session's TSIH, as 'storlane sessions' lists it." };
        var command = new Command("logout", "End one session of a running 'storlane serve' (its connection closes; the initiator may log in again)." + ExitCodesHelp) { tsih };
        Run(command, async (parseResult, client, cancellationToken) =>
        {
            var number = parseResult.GetRequiredValue(tsih);
            var ended = await client.SendAsync<SessionView>(HttpMethod.Post, $"/api/v1/sessions/{number}/logout", null, cancellationToken).ConfigureAwait(false);
            return new ChangeResponse($"session {ended.Tsih} logged out ({ended.InitiatorName} -> {ended.TargetName ?? "discovery"})");
        });
        return command;
    }

    private static Command LunAdd()
    {
        var target = TargetArgument();
        var number = new Option<ulong?>("--lun") { Description = "The LUN number. Default: the lowest free one.", HelpName = "n" };
        var size = new Option<string>("--size") { Description = "Size: bytes, or a whole number with K, M, G, T (binary: 1G = 2^30 bytes).", HelpName = "size", Required = true };
        var backend = new Option<string?>("--backend") { Description = "file (default), vhdx or memory.", HelpName = "backend" };
        var path = new Option<string?>("--path") { Description = "The image file (relative to serve's data folder); created when missing. Not for memory LUNs.", HelpName = "path" };
        var logical = new Option<int?>("--logical-block-size") { Description = "512 (default) or 4096.", HelpName = "bytes" };
        var physical = new Option<int?>("--physical-block-size") { Description = "512 or 4096; default the logical block size.", HelpName = "bytes" };
        var readOnly = new Option<bool>("--read-only") { Description = "Serve it read-only." };
        var command = new Command("add", "Add a LUN to a target; initiators get REPORTED LUNS DATA HAS CHANGED and find it at their next REPORT LUNS (a Linux host: 'iscsiadm -m session --rescan')." + ExitCodesHelp)
        {
            target, number, size, backend, path, logical, physical, readOnly,
        };
        Run(command, (parseResult, client, cancellationToken) =>
        {
            var settings = new Dictionary<string, object> { ["size"] = parseResult.GetRequiredValue(size) };
            AddIf(settings, "lun", parseResult.GetValue(number));
            AddIf(settings, "backend", parseResult.GetValue(backend));
            AddIf(settings, "path", parseResult.GetValue(path));
            AddIf(settings, "logical-block-size", parseResult.GetValue(logical));
            AddIf(settings, "physical-block-size", parseResult.GetValue(physical));
            if (parseResult.GetValue(readOnly))
            {
                settings["read-only"] = true;
            }

            return client.ChangeAsync(HttpMethod.Post, TargetPath(parseResult.GetRequiredValue(target)) + "/luns", settings, cancellationToken);
        });
        return command;
    }

    private static Command LunRemove()
    {
        var (target, lun) = (TargetArgument(), LunArgument());
        var command = new Command("remove", "Stop serving a LUN; its image file stays. Commands in flight finish first; sessions are kept and get REPORTED LUNS DATA HAS CHANGED. Refused while an initiator holds a persistent reservation on it." + ExitCodesHelp)
        {
            target, lun,
        };
        Run(command, (parseResult, client, cancellationToken) => client.ChangeAsync(HttpMethod.Delete, LunPath(parseResult, target, lun), null, cancellationToken));
        return command;
    }

    private static Command LunGrow()
    {
        var (target, lun) = (TargetArgument(), LunArgument());
        var size = new Argument<string>("size") { Description = "The new, larger size (e.g. 2G)." };
        var command = new Command("grow", "Grow a file or VHDX LUN; initiators get CAPACITY DATA HAS CHANGED. A smaller size is refused (it would drop data)." + ExitCodesHelp)
        {
            target, lun, size,
        };
        Run(command, (parseResult, client, cancellationToken) => client.ChangeAsync(HttpMethod.Post, LunPath(parseResult, target, lun) + "/grow", new { size = parseResult.GetRequiredValue(size) }, cancellationToken));
        return command;
    }

    private static Command LunReadOnly()
    {
        var (target, lun) = (TargetArgument(), LunArgument());
        var state = new Argument<string>("on|off") { Description = "on: writes end DATA PROTECT (the default); off: writable again.", DefaultValueFactory = _ => "on" };
        state.AcceptOnlyFromAmong("on", "off");
        var command = new Command("readonly", "Make a LUN read-only (or writable with 'off'); MODE SENSE reports WP and initiators get MODE PARAMETERS CHANGED." + ExitCodesHelp)
        {
            target, lun, state,
        };
        Run(command, (parseResult, client, cancellationToken) => client.ChangeAsync(HttpMethod.Put, LunPath(parseResult, target, lun) + "/read-only", new { readOnly = parseResult.GetRequiredValue(state) == "on" }, cancellationToken));
        return command;
    }

    private static Command LunOffline(string name, bool offline)
    {
        var (target, lun) = (TargetArgument(), LunArgument());
        var command = new Command(name, (offline
            ? "Take a LUN offline: every portal group reports ALUA unavailable for it, so initiators stop sending I/O to it (commands end NOT READY)."
            : "Bring an offline LUN back.") + " Initiators get ASYMMETRIC ACCESS STATE CHANGED." + ExitCodesHelp)
        {
            target, lun,
        };
        Run(command, (parseResult, client, cancellationToken) => client.ChangeAsync(HttpMethod.Put, LunPath(parseResult, target, lun) + "/offline", new { offline }, cancellationToken));
        return command;
    }

    private static Command LunReset()
    {
        var (target, lun) = (TargetArgument(), LunArgument());
        var command = new Command("reset", "Reset a LUN as a LOGICAL UNIT RESET would: its commands in flight, of every session, are aborted, and every initiator gets BUS DEVICE RESET FUNCTION OCCURRED. Changes no configuration." + ExitCodesHelp)
        {
            target, lun,
        };
        Run(command, (parseResult, client, cancellationToken) => client.ChangeAsync(HttpMethod.Post, LunPath(parseResult, target, lun) + "/reset", null, cancellationToken));
        return command;
    }

    /// <summary>Adds the common options and runs the change: one line for people, the API's JSON with --json, one clear line on stderr when refused.</summary>
    private static void Run(Command command, Func<ParseResult, ManagementClient, CancellationToken, Task<ChangeResponse>> change)
    {
        var api = new Option<FileInfo?>("--api")
        {
            Description = $"The management API's Unix socket. Default: where serve puts it ({StorlaneFolders.ApiSocketRule}), or /run/storlane/api.sock for the system service.",
            HelpName = "socket",
        };
        var token = new Option<string?>("--token") { Description = $"A bearer token with the admin role (default: ${ManagementClient.TokenVariable}). Without one, root or the user serve runs as is admin over the socket.", HelpName = "token" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer instead of a line." };
        command.Options.Add(api);
        command.Options.Add(token);
        command.Options.Add(json);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var configuration = parseResult.InvocationConfiguration;
            using var client = ManagementClient.Open(parseResult.GetValue(api)?.FullName).WithToken(parseResult.GetValue(token));
            try
            {
                var result = await change(parseResult, client, cancellationToken).ConfigureAwait(false);
                await configuration.Output.WriteLineAsync(parseResult.GetValue(json) ? JsonSerializer.Serialize(result, ManagementClient.Json) : result.Result).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (ManagementClientException e)
            {
                await configuration.Error.WriteLineAsync("storlane: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
    }

    private static void AddIf(Dictionary<string, object> settings, string key, object? value)
    {
        if (value is not null)
        {
            settings[key] = value;
        }
    }

    private static Argument<string> TargetArgument() => new("target") { Description = "The target's iSCSI name, as 'storlane status' lists it." };

    private static Argument<ulong> LunArgument() => new("lun") { Description = "The LUN number." };

    private static string TargetPath(string target) => "/api/v1/targets/" + Uri.EscapeDataString(target);

    private static string LunPath(ParseResult parseResult, Argument<string> target, Argument<ulong> lun) =>
        TargetPath(parseResult.GetRequiredValue(target)) + "/luns/" + parseResult.GetRequiredValue(lun).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
