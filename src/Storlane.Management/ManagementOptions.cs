namespace Storlane.Management;

/// <summary>The config's <c>management:</c> section.</summary>
public sealed class ManagementOptions
{
    /// <summary>The Unix socket the API listens on; null: the default under the runtime directory.</summary>
    public string? Socket { get; init; }

    /// <summary>Bearer tokens, stored as SHA-256 hashes so the config file never holds a usable secret.</summary>
    public List<ApiToken> Tokens { get; } = [];

    /// <summary>Set by serve, not read from the file: where the change endpoints send changes; null answers them 503.</summary>
    public IConfigChanges? Changes { get; set; }
}

/// <param name="Sha256">SHA-256 of the token's UTF-8 bytes (32 bytes).</param>
public sealed record ApiToken(string Name, ApiRole Role, byte[] Sha256)
{
    public bool SameAs(ApiToken other) => Name == other.Name && Role == other.Role && Sha256.AsSpan().SequenceEqual(other.Sha256);
}
