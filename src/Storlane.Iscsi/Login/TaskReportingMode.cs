namespace Storlane.Iscsi.Login;

/// <summary>Values of the TaskReporting key (RFC 7143 13.23).</summary>
public enum TaskReportingMode
{
    /// <summary>"RFC3720": the default task reporting semantics.</summary>
    Rfc3720,

    /// <summary>"ResponseFence": response fence semantics for task management.</summary>
    ResponseFence,

    /// <summary>"FastAbort": the multi-task abort semantics; implies ResponseFence.</summary>
    FastAbort,
}
