using Microsoft.Extensions.Logging;

namespace Storlane.Management;

/// <summary>The management API's log events; the audit trail of changes is here (who, what, result).</summary>
internal static partial class ManagementLog
{
    [LoggerMessage(5001, LogLevel.Information, "Management API listening on {Socket} (owner-only, mode 0600)", EventName = "ApiListening")]
    public static partial void Listening(ILogger logger, string socket);

    [LoggerMessage(5002, LogLevel.Information, "Audit: {Caller} ({Role}) {Action}: {Result}")]
    public static partial void Audit(ILogger logger, string caller, ApiRole role, string action, string result);

    [LoggerMessage(5003, LogLevel.Warning, "Audit: refused {Action} to {Caller}: {Reason}")]
    public static partial void Refused(ILogger logger, string caller, string action, string reason);

    [LoggerMessage(5004, LogLevel.Information, "Removed a stale management socket {Socket} (no server answered on it)")]
    public static partial void StaleSocketRemoved(ILogger logger, string socket);

    [LoggerMessage(5021, LogLevel.Information, "Management API listening on https://{Endpoint} (TLS; bearer tokens only)")]
    public static partial void ListeningTls(ILogger logger, System.Net.IPEndPoint endpoint);
}
