using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// The NVMe/TCP association is gone or can no longer be trusted (socket error, a fatal transport
/// error, an unanswered Keep Alive, a command past its timeout). Commands that were outstanding may
/// or may not have executed; a multipath layer reissues them on another path.
/// </summary>
public class NvmeTransportException : IOException
{
    public NvmeTransportException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>A command found no answer within its timeout; the association was dropped so no later answer can land.</summary>
public sealed class NvmeCommandTimeoutException : NvmeTransportException
{
    public NvmeCommandTimeoutException(string message)
        : base(message)
    {
    }
}

/// <summary>The controller refused the Fabrics Connect (Fabrics 1.1, 3.3.1, figure 21): the status and, for invalid parameters, IATTR/IPO.</summary>
public sealed class NvmeConnectException : IOException
{
    public NvmeConnectException(NvmeStatus status, uint dword0, string message)
        : base(message)
    {
        Status = status;
        Dword0 = dword0;
    }

    public NvmeStatus Status { get; }

    public uint Dword0 { get; }
}

/// <summary>A command completed with an error status (NVMe base 2.0, 4.2.3).</summary>
public sealed class NvmeCommandException : IOException
{
    public NvmeCommandException(byte opcode, NvmeStatus status)
        : base($"NVMe command 0x{opcode:x2} failed: {status}")
    {
        Opcode = opcode;
        Status = status;
    }

    public byte Opcode { get; }

    public NvmeStatus Status { get; }
}
