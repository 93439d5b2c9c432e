using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Storlane.Cli.Tests;

/// <summary>
/// Every event `storlane serve` can log, read from the [LoggerMessage] declarations of each assembly: an
/// administrator filters and alerts on event ids and names (journald, the management API's recent events),
/// so one id or one name must mean one event across the whole product, and each area keeps its own range.
/// </summary>
public sealed class LogEventCatalogTests
{
    /// <summary>Each logging assembly and the ids it owns (docs/logging.md lists the same ranges).</summary>
    private static readonly (string Assembly, int First, int Last)[] Ranges =
    [
        ("Storlane.Target", 1000, 1999),
        ("Storlane.Scsi", 2000, 2999),
        ("Storlane.Nvme", 3000, 3999),
        ("Storlane.Initiator", 4000, 4999),
        ("Storlane.Management", 5000, 5999),
        ("storlane", 6000, 6999),
    ];

    [Fact]
    public void EveryEvent_HasAnIdInItsAreasRange_AndNoIdOrNameIsUsedTwice()
    {
        var byId = new Dictionary<int, string>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var count = 0;
        foreach (var (assemblyName, first, last) in Ranges)
        {
            foreach (var (method, attribute) in Events(Assembly.Load(assemblyName)))
            {
                count++;
                var where = $"{method.DeclaringType!.Name}.{method.Name}";
                var name = attribute.EventName ?? method.Name;
                if (attribute.EventId < first || attribute.EventId > last)
                {
                    problems.Add($"{where}: id {attribute.EventId} is outside {assemblyName}'s range {first}..{last}");
                }

                if (!byId.TryAdd(attribute.EventId, where))
                {
                    problems.Add($"{where}: id {attribute.EventId} is already {byId[attribute.EventId]}");
                }

                if (!byName.TryAdd(name, where))
                {
                    problems.Add($"{where}: name {name} is already {byName[name]} (set EventName)");
                }
            }
        }

        Assert.True(count > 80, $"found only {count} log events: are the assemblies' [LoggerMessage] methods still there?");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void ConnectionEvents_NameTheConnection()
    {
        // One connection's story (accepted, login, errors, close) must be greppable by its id: messages about
        // a connection carry {Connection} beside the remote address, which is not unique over time.
        var missing = new List<string>();
        foreach (var assemblyName in (string[])["Storlane.Target", "Storlane.Nvme"])
        {
            foreach (var (method, attribute) in Events(Assembly.Load(assemblyName)))
            {
                if (attribute.Message.Contains("{Remote}", StringComparison.Ordinal)
                    && !attribute.Message.Contains("{Connection}", StringComparison.Ordinal)
                    && !method.Name.Contains("Refused", StringComparison.Ordinal))
                {
                    missing.Add($"{method.DeclaringType!.Name}.{method.Name}: \"{attribute.Message}\"");
                }
            }
        }

        Assert.True(missing.Count == 0, "connection events without {Connection}:\n" + string.Join('\n', missing));
    }

    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Attribute)> Events(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                {
                    yield return (method, attribute);
                }
            }
        }
    }
}
