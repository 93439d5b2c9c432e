using System.Diagnostics.CodeAnalysis;
using Storlane.Iscsi.Pdu;

namespace Storlane.Iscsi;

/// <summary>
/// A protocol violation by the peer. Carries the Reject reason to send, if any; the connection
/// that raised it is closed, never the process.
/// </summary>
public sealed class IscsiProtocolException : Exception
{
    public IscsiProtocolException(RejectReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public RejectReason Reason { get; }

    /// <summary>Whether a Reject PDU is worth sending before closing (false when framing is lost).</summary>
    public bool SendReject { get; init; } = true;

    [DoesNotReturn]
    public static void Throw(RejectReason reason, string message) => throw new IscsiProtocolException(reason, message);

    /// <summary>The byte stream can no longer be trusted: close without a Reject.</summary>
    [DoesNotReturn]
    public static void ThrowFramingLost(string message) =>
        throw new IscsiProtocolException(RejectReason.ProtocolError, message) { SendReject = false };
}
