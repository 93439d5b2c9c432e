using Microsoft.Extensions.Logging;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>
/// The wire trace: one trace-level line per PDU in and out (category Storlane.Target.Pdus). Whether it
/// is on is read once per connection, so a server without it pays one predictable branch per PDU.
/// </summary>
internal sealed partial class IscsiConnection
{
    private readonly bool _tracePdus;

    /// <summary>A received PDU: CmdSN for commands, ExpStatSN for the rest (both sit at byte 24).</summary>
    private void TraceReceived(Bhs bhs)
    {
        if (_tracePdus)
        {
            TargetLog.PduReceived(_server.Loggers.Pdus, Number, bhs.Opcode, bhs.InitiatorTaskTag, bhs.CmdSN, bhs.DataSegmentLength);
        }
    }

    /// <summary>A PDU about to be written (its DataSegmentLength is set when it is finished, so the caller names it).</summary>
    private void TraceSent(Bhs bhs, int dataLength)
    {
        if (_tracePdus)
        {
            TargetLog.PduSent(_server.Loggers.Pdus, Number, bhs.Opcode, bhs.InitiatorTaskTag, bhs.StatSN, dataLength);
        }
    }

    private static bool TracesPdus(ServerContext server) => server.Loggers.Pdus.IsEnabled(LogLevel.Trace);
}
