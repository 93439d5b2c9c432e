using Microsoft.Extensions.Logging;

namespace Storlane.Initiator;

/// <summary>Source-generated log messages of the initiator; nothing here runs per PDU on the good path.</summary>
internal static partial class InitiatorLog
{
    [LoggerMessage(4001, LogLevel.Information, "logged in to {Target} at {Portal} (TSIH {Tsih}, header digest {HeaderDigest}, data digest {DataDigest})")]
    public static partial void LoggedIn(ILogger logger, string target, string portal, ushort tsih, bool headerDigest, bool dataDigest);

    [LoggerMessage(4002, LogLevel.Warning, "session to {Portal} failed: {Reason}")]
    public static partial void SessionFailed(ILogger logger, string portal, string reason);

    [LoggerMessage(4003, LogLevel.Information, "async message from {Portal}: event {AsyncEvent}")]
    public static partial void AsyncMessage(ILogger logger, string portal, byte asyncEvent);

    [LoggerMessage(4004, LogLevel.Warning, "{Portal} rejected a PDU for task 0x{Itt:x8}: {Reason}")]
    public static partial void Rejected(ILogger logger, string portal, uint itt, Iscsi.Pdu.RejectReason reason);

    [LoggerMessage(4005, LogLevel.Debug, "logged out of {Portal}")]
    public static partial void LoggedOut(ILogger logger, string portal);
}
