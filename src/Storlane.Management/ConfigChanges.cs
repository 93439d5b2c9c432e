namespace Storlane.Management;

/// <summary>
/// The one path every configuration change of the API takes, implemented by <c>storlane serve</c>: edit
/// the running configuration, validate it with the config loader's own rules, apply it live the way a
/// SIGHUP reload does, then save it back to its file. A change that breaks a rule changes nothing.
/// </summary>
public interface IConfigChanges
{
    Task<ChangeResult> ApplyAsync(ConfigChange change, CancellationToken cancellationToken);
}

/// <summary>How a change ended.</summary>
/// <param name="Status">Applied, Invalid (breaks a config rule), NotFound, Conflict (cannot apply to what runs now) or Failed.</param>
/// <param name="Message">What was done, or why nothing was; one line.</param>
public sealed record ChangeResult(ChangeStatus Status, string Message)
{
    public static ChangeResult Applied(string message) => new(ChangeStatus.Applied, message);

    public static ChangeResult Invalid(string message) => new(ChangeStatus.Invalid, message);

    public static ChangeResult NotFound(string message) => new(ChangeStatus.NotFound, message);

    public static ChangeResult Conflict(string message) => new(ChangeStatus.Conflict, message);
}

public enum ChangeStatus
{
    Applied,
    Invalid,
    NotFound,
    Conflict,
    Failed,
}

/// <summary>A change to the configuration; <see cref="Describe"/> is what the audit log says was asked (never a secret).</summary>
public abstract record ConfigChange
{
    public abstract string Describe();
}

/// <summary>Adds a LUN: its settings are the config file's LUN keys (lun, size, backend, path, ...) with their values as text.</summary>
public sealed record AddLunChange(string Target, IReadOnlyDictionary<string, string> Settings) : ConfigChange
{
    public override string Describe() => $"add a LUN to {Target} ({string.Join(", ", Settings.Select(s => s.Key + ": " + s.Value))})";
}

public sealed record RemoveLunChange(string Target, ulong Lun) : ConfigChange
{
    public override string Describe() => $"remove LUN {Lun} of {Target}";
}

public sealed record GrowLunChange(string Target, ulong Lun, string Size) : ConfigChange
{
    public override string Describe() => $"grow LUN {Lun} of {Target} to {Size}";
}

public sealed record LunReadOnlyChange(string Target, ulong Lun, bool ReadOnly) : ConfigChange
{
    public override string Describe() => $"make LUN {Lun} of {Target} {(ReadOnly ? "read-only" : "writable")}";
}

public sealed record LunOfflineChange(string Target, ulong Lun, bool Offline) : ConfigChange
{
    public override string Describe() => $"take LUN {Lun} of {Target} {(Offline ? "offline" : "online")}";
}

public sealed record AclChange(string Target, string Initiator, bool Add) : ConfigChange
{
    public override string Describe() => $"{(Add ? "add" : "remove")} {Initiator} {(Add ? "to" : "from")} the ACL of {Target}";
}

/// <summary>Sets (<paramref name="User"/> and <paramref name="Secret"/> given) or removes one-way (<c>chap</c>) or mutual (<c>mutual-chap</c>) CHAP.</summary>
public sealed record ChapChange(string Target, string Key, string? User, string? Secret) : ConfigChange
{
    public override string Describe() => User is null ? $"remove {Key} of {Target}" : $"set {Key} of {Target} (user {User}, secret not logged)";
}

public sealed record PortalChange(string Address, int Port, ushort? Group, bool Add) : ConfigChange
{
    public override string Describe() => $"{(Add ? "add" : "remove")} portal {Address}:{Port}" + (Group is { } g ? $" (group {g})" : string.Empty);
}
