using Storlane.Target;

namespace Storlane.Cli.Configuration;

/// <summary>The `limits:` section: what clients may make the target hold (<see cref="TargetLimits"/>).</summary>
internal sealed partial class ConfigMapper
{
    private static void MapLimits(YamlSection root, TargetLimits limits)
    {
        if (root.Mapping("limits", ConfigKeys.Limits) is not { } section)
        {
            return;
        }

        SetInteger(section, "max-connections", 1, 1_000_000, v => limits.MaxConnections = v);
        SetInteger(section, "max-connections-per-portal", 1, 1_000_000, v => limits.MaxConnectionsPerPortal = v);
        SetInteger(section, "max-connections-per-address", 1, 1_000_000, v => limits.MaxConnectionsPerAddress = v);
        SetInteger(section, "max-sessions-per-target", 1, 65535, v => limits.MaxSessionsPerTarget = v);

        // 0 turns a timeout off; an hour is already far past any initiator's own timeouts.
        SetInteger(section, "login-timeout", 0, 3600, v => limits.LoginTimeoutSeconds = v);
        SetInteger(section, "pdu-stall-timeout", 0, 3600, v => limits.PduStallTimeoutSeconds = v);

        // RFC 7143 6.2: text keys and values are bounded; 8 KiB is the least a negotiation may need.
        SetSize(section, "max-text-bytes", 8 << 10, 16 << 20, v => limits.MaxTextBytes = (int)v);
        SetInteger(section, "immediate-commands", 0, 65535, v => limits.ImmediateCommands = v);
        SetSize(section, "max-queued-bytes-per-connection", 64 << 10, 1L << 40, v => limits.MaxQueuedBytesPerConnection = v);
        SetSize(section, "max-buffer-bytes-per-connection", 1 << 20, 1L << 40, v => limits.MaxBufferBytesPerConnection = v);
        SetSize(section, "buffer-budget", 1 << 20, 1L << 44, v => limits.BufferBudgetBytes = v);
    }

    private static void SetInteger(YamlSection section, string key, int min, int max, Action<int> set)
    {
        if (section.Integer(key, min, max) is { } value)
        {
            set((int)value);
        }
    }

    private static void SetSize(YamlSection section, string key, long min, long max, Action<long> set)
    {
        if (section.Size(key) is not { } value)
        {
            return;
        }

        if (value < min || value > max)
        {
            section.Errors.Add(section.Value(key)!, $"'{key}' must be in {min}..{max} bytes, got {value}");
            return;
        }

        set(value);
    }
}
