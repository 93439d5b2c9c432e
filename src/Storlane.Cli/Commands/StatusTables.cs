using System.Globalization;
using Storlane.Management;
using Storlane.Storage;
using Storlane.Target.Observability;

namespace Storlane.Cli.Commands;

/// <summary>The plain-text tables of <c>storlane status</c> and <c>sessions</c>: aligned columns, no colour, the same on a terminal and in a file.</summary>
internal static class StatusTables
{
    private static readonly string[] PortalHeader = ["PORTAL", "GROUP", "LISTENING", "CONNECTIONS"];
    private static readonly string[] LunHeader = ["TARGET", "LUN", "BACKEND", "SIZE", "BLOCK", "ALUA", "MODE", "READS", "WRITES", "SESSIONS"];
    private static readonly string[] SessionHeader = ["TSIH", "INITIATOR", "TARGET", "ADDRESS", "DIGESTS", "WINDOW", "OUTSTANDING"];

    public static void WriteStatus(TextWriter output, string socket, TargetsResponse targets, IReadOnlyList<SessionView> sessions)
    {
        output.WriteLine($"storlane serve on {socket}: {targets.Targets.Count} target(s), {sessions.Count} session(s)");
        output.WriteLine();
        var portals = new List<string[]> { PortalHeader };
        foreach (var portal in targets.Portals)
        {
            var address = (portal.Address.Contains(':', StringComparison.Ordinal) ? $"[{portal.Address}]" : portal.Address) + ":" + Number(portal.Port) + (portal.Interface is null ? "" : " on " + portal.Interface);
            var listening = portal.Listening.Count == 0 ? "(nothing yet)" : string.Join(", ", portal.Listening.Select(l => l.Endpoint));
            portals.Add([address, Number(portal.Group), listening, Number(portal.Listening.Sum(l => l.Connections))]);
        }

        Write(output, portals);
        output.WriteLine();
        var luns = new List<string[]> { LunHeader };
        foreach (var target in targets.Targets)
        {
            var sessionCount = Number(sessions.Count(s => string.Equals(s.TargetName, target.Name, StringComparison.OrdinalIgnoreCase)));
            foreach (var lun in target.Luns)
            {
                luns.Add([
                    target.Name,
                    Number((long)lun.Lun),
                    lun.Backend,
                    ByteSize.Describe(lun.SizeBytes),
                    lun.LogicalBlockSize == lun.PhysicalBlockSize ? Number(lun.LogicalBlockSize) : $"{Number(lun.LogicalBlockSize)}/{Number(lun.PhysicalBlockSize)}",
                    string.Join(", ", lun.Alua.Select(a => $"{Number(a.Group)}:{a.State}")),
                    lun.ReadOnly ? "ro" : "rw",
                    $"{Number(lun.Counters.ReadCommands)} ({ByteSize.Describe(lun.Counters.ReadBytes)})",
                    $"{Number(lun.Counters.WriteCommands)} ({ByteSize.Describe(lun.Counters.WriteBytes)})",
                    sessionCount,
                ]);
            }
        }

        Write(output, luns);
    }

    public static void WriteSessions(TextWriter output, IReadOnlyList<SessionView> sessions)
    {
        if (sessions.Count == 0)
        {
            output.WriteLine("no sessions");
            return;
        }

        var rows = new List<string[]> { SessionHeader };
        foreach (var session in sessions)
        {
            rows.Add([
                Number(session.Tsih),
                session.InitiatorName,
                session.TargetName ?? "(discovery)",
                string.Join(", ", session.Connections.Select(c => c.Remote ?? "?")),
                $"header {session.HeaderDigest}, data {session.DataDigest}",
                $"{session.CommandWindow.ExpCmdSN.ToString(CultureInfo.InvariantCulture)}..{session.CommandWindow.MaxCmdSN.ToString(CultureInfo.InvariantCulture)}",
                Number(session.CommandWindow.Outstanding),
            ]);
        }

        Write(output, rows);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Write(TextWriter output, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            var cells = new string[row.Length];
            for (var i = 0; i < row.Length; i++)
            {
                cells[i] = i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]);
            }

            output.WriteLine(string.Join("  ", cells));
        }
    }
}
