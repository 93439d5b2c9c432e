namespace Storlane.Management;

/// <summary>What a caller may do: <see cref="Monitor"/> reads, <see cref="Admin"/> also changes.</summary>
public enum ApiRole
{
    Monitor,
    Admin,
}

/// <summary>Who is calling, as the audit log names them: a token's name, or "uid N" for a Unix peer.</summary>
public sealed record ApiCaller(string Name, ApiRole Role);
