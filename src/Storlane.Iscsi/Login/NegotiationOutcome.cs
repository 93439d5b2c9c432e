namespace Storlane.Iscsi.Login;

/// <summary>
/// Result of one negotiation step. <see cref="Status"/> is <see cref="LoginStatus.Success"/> when the
/// exchange may continue; otherwise it is the Status-Class/Detail for the Login Response that ends the
/// login (or, in full feature phase, the reason to reject the Text Request).
/// </summary>
public readonly struct NegotiationOutcome
{
    private NegotiationOutcome(LoginStatus status, string? reason)
    {
        Status = status;
        Reason = reason;
    }

    public static NegotiationOutcome Success => default;

    public LoginStatus Status { get; }

    /// <summary>Human-readable cause for logs; null on success.</summary>
    public string? Reason { get; }

    public bool IsSuccess => Status == LoginStatus.Success;

    public static NegotiationOutcome Fail(LoginStatus status, string reason) => new(status, reason);

    public override string ToString() => IsSuccess ? "Success" : $"{Status}: {Reason}";
}
