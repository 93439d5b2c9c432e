namespace Storlane.Iscsi.Login;

/// <summary>Values of the TaskReporting key (RFC 7143 13.23).</summary>
public enum TaskReportingMode
{
    /// <summary>"RFC3720": the default task reporting semantics.</summary>
    Rfc3720,

    /// <summary>"ResponseFence" (RFC 7143 4.2.2.3.3).</summary>
    ResponseFence,

    /// <summary>"FastAbort" (RFC 7143 4.2.3.4); implies ResponseFence.</summary>
    FastAbort,
}
