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

    /// <summary>Set by serve, not read from the file: the recent warnings and path events GET /api/v1/events lists; null lists none.</summary>
    public RecentEvents? Events { get; set; }

    /// <summary>An optional TCP endpoint, served over TLS only (<see cref="TlsListener"/>); callers need a bearer token there.</summary>
    public System.Net.IPEndPoint? Listen { get; set; }

    /// <summary>The TLS certificate (PEM, leaf first, chain after) for <see cref="Listen"/>.</summary>
    public PemFile? Certificate { get; set; }

    /// <summary>The certificate's private key (PEM: PKCS#8, RSA or EC).</summary>
    public PemFile? Key { get; set; }
}

/// <param name="Origin">Where the config names the file (<c>file:line:column</c>), so a file that cannot be read at start is reported there.</param>
public sealed record PemFile(string Path, string Origin);

/// <param name="Sha256">SHA-256 of the token's UTF-8 bytes (32 bytes).</param>
public sealed record ApiToken(string Name, ApiRole Role, byte[] Sha256)
{
    public bool SameAs(ApiToken other) => Name == other.Name && Role == other.Role && Sha256.AsSpan().SequenceEqual(other.Sha256);
}
