using Microsoft.Extensions.Logging;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>
/// The wire trace: one trace-level line per PDU in and out (category Storlane.Target.Pdus). Whether it
/// is on is read once per connection, so a server without it pays one predictable branch per PDU.
/// Immutable, so the receive loop and the writer share one.
/// </summary>
internal sealed class PduTrace
{
    private readonly ILogger _logger;
    private readonly long _connection;
    private readonly bool _enabled;

    public PduTrace(ILogger logger, long connection)
    {
        _logger = logger;
        _connection = connection;
        _enabled = logger.IsEnabled(LogLevel.Trace);
    }

    /// <summary>A received PDU: CmdSN for commands, ExpStatSN for the rest (both sit at byte 24).</summary>
    public void Received(Bhs bhs)
    {
        if (_enabled)
        {
            TargetLog.PduReceived(_logger, _connection, bhs.Opcode, bhs.InitiatorTaskTag, bhs.CmdSN, bhs.DataSegmentLength);
        }
    }

    /// <summary>A PDU about to be written (its DataSegmentLength is set when it is finished, so the caller names it).</summary>
    public void Sent(Bhs bhs, int dataLength)
    {
        if (_enabled)
        {
            TargetLog.PduSent(_logger, _connection, bhs.Opcode, bhs.InitiatorTaskTag, bhs.StatSN, dataLength);
        }
    }
}
