using System.Diagnostics.CodeAnalysis;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// A fatal transport error (NVMe/TCP 1.0, 3.6.2.4 / 7.4.x): the connection answers with a C2HTermReq
/// carrying <see cref="Status"/> and <see cref="FieldOffset"/> (FEI) and closes; nothing else ends.
/// </summary>
public sealed class NvmeTcpProtocolException : Exception
{
    public NvmeTcpProtocolException(FatalErrorStatus status, uint fieldOffset, string message)
        : base(message)
    {
        Status = status;
        FieldOffset = fieldOffset;
    }

    public NvmeTcpProtocolException()
    {
    }

    public NvmeTcpProtocolException(string message)
        : base(message)
    {
    }

    public NvmeTcpProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FatalErrorStatus Status { get; } = FatalErrorStatus.InvalidPduHeaderField;

    /// <summary>FEI: for an invalid header field, the byte offset of the field in the PDU header.</summary>
    public uint FieldOffset { get; }

    [DoesNotReturn]
    public static void Throw(FatalErrorStatus status, uint fieldOffset, string message) =>
        throw new NvmeTcpProtocolException(status, fieldOffset, message);
}
