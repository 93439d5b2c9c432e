using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;

namespace Storlane.Initiator;

/// <summary>
/// The connection is gone or can no longer be trusted (socket error, protocol violation by the
/// target, ping timeout, logout). Commands that were outstanding may or may not have executed;
/// a multipath layer reissues them on another path.
/// </summary>
public sealed class IscsiTransportException : IOException
{
    public IscsiTransportException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>A Login Response with a non-zero Status-Class, or a login the initiator had to abandon (RFC 7143 11.13.5).</summary>
public sealed class IscsiLoginException : Exception
{
    public IscsiLoginException(LoginStatus status, string message, string? redirectAddress = null)
        : base(message)
    {
        Status = status;
        RedirectAddress = redirectAddress;
    }

    public LoginStatus Status { get; }

    /// <summary>For a redirection (Status-Class 1): the TargetAddress the target named.</summary>
    public string? RedirectAddress { get; }
}

/// <summary>The target answered a PDU with Reject (RFC 7143 11.17).</summary>
public sealed class IscsiRejectException : Exception
{
    public IscsiRejectException(RejectReason reason)
        : base("the target rejected the PDU: " + reason)
    {
        Reason = reason;
    }

    public RejectReason Reason { get; }
}

/// <summary>A task management function that did not complete (RFC 7143 11.6.1).</summary>
public sealed class IscsiTaskManagementException : Exception
{
    public IscsiTaskManagementException(TaskManagementFunction function, TaskManagementResponse response)
        : base($"{function} answered {response}")
    {
        Function = function;
        Response = response;
    }

    public TaskManagementFunction Function { get; }

    public TaskManagementResponse Response { get; }
}
