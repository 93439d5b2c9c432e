namespace Storlane.Iscsi.Chap;

/// <summary>Outcome of one security-stage request.</summary>
public readonly struct SecurityOutcome
{
    private SecurityOutcome(SecurityState state, LoginStatus status, string? reason)
    {
        State = state;
        Status = status;
        Reason = reason;
    }

    public static SecurityOutcome InProgress => new(SecurityState.InProgress, LoginStatus.Success, null);

    public static SecurityOutcome Authenticated => new(SecurityState.Authenticated, LoginStatus.Success, null);

    public SecurityState State { get; }

    /// <summary>
    /// <see cref="LoginStatus.Success"/> unless <see cref="State"/> is Failed: then
    /// <see cref="LoginStatus.AuthenticationFailure"/> for credentials that do not match or an
    /// authentication the target cannot do, <see cref="LoginStatus.InitiatorError"/> for protocol errors.
    /// </summary>
    public LoginStatus Status { get; }

    /// <summary>Human-readable cause for logs; null unless failed.</summary>
    public string? Reason { get; }

    public bool IsFailed => State == SecurityState.Failed;

    public static SecurityOutcome Failed(LoginStatus status, string reason) => new(SecurityState.Failed, status, reason);

    public override string ToString() => IsFailed ? $"Failed {Status}: {Reason}" : State.ToString();
}
