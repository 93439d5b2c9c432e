using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Storlane.Management;

/// <summary>
/// Says who a request comes from: a bearer token from the config (compared by SHA-256 in fixed
/// time), else a Unix peer that is root or the server's own user (admin, the kernel vouches for
/// it), else nobody. A request that presents a token is judged by the token alone: a wrong token
/// is refused even from a trusted peer, so a script's mistake shows.
/// </summary>
internal sealed class CallerResolver
{
    private const string Bearer = "Bearer ";
    private readonly IReadOnlyList<ApiToken> _tokens;

    public CallerResolver(IReadOnlyList<ApiToken> tokens)
    {
        _tokens = tokens;
    }

    public ApiCaller? Resolve(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            var value = authorization.ToString();
            return value.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? FromToken(value[Bearer.Length..].Trim()) : null;
        }

        var uid = PeerCredentials.PeerUid(context.Features.Get<IConnectionSocketFeature>()?.Socket);
        return uid is { } peer && (peer == 0 || peer == PeerCredentials.OwnUid)
            ? new ApiCaller("uid " + peer.ToString(System.Globalization.CultureInfo.InvariantCulture), ApiRole.Admin)
            : null;
    }

    private ApiCaller? FromToken(string token)
    {
        if (token.Length == 0)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        ApiCaller? found = null;
        foreach (var candidate in _tokens)
        {
            // Every token is compared, in fixed time, so the answer's timing says nothing about which one came close.
            if (CryptographicOperations.FixedTimeEquals(hash, candidate.Sha256) && found is null)
            {
                found = new ApiCaller("token " + candidate.Name, candidate.Role);
            }
        }

        return found;
    }
}
