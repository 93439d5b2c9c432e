using System.Globalization;
using Storlane.Management;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

/// <summary>The `management:` section: where the API listens and who may use it.</summary>
internal sealed partial class ConfigMapper
{
    private const int Sha256HexLength = 64;

    private ManagementOptions MapManagement(YamlSection root)
    {
        if (root.Mapping("management", ConfigKeys.Management) is not { } section)
        {
            return new ManagementOptions();
        }

        var socket = section.String("socket");
        if (socket is { Length: 0 })
        {
            _errors.Add(section.Value("socket")!, "'socket' cannot be empty");
            socket = null;
        }

        var options = new ManagementOptions { Socket = socket is null ? null : Path.GetFullPath(socket, _dataDirectory) };
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in section.Sequence("tokens"))
        {
            if (item is not YamlMappingNode mapping)
            {
                _errors.Add(item, $"a token must be a mapping with 'name', 'role' and 'sha256', not {YamlSection.Describe(item)}");
                continue;
            }

            if (MapToken(new YamlSection(mapping, _errors, ConfigKeys.ApiToken), names) is { } token)
            {
                options.Tokens.Add(token);
            }
        }

        MapTcpListener(section, options);
        return options;
    }

    private ApiToken? MapToken(YamlSection token, HashSet<string> names)
    {
        var name = RequiredString(token, "name", "(it names the caller in the audit log)");
        var role = RequiredString(token, "role");
        var hash = RequiredString(token, "sha256", "(the token's SHA-256 in hex: printf %s TOKEN | sha256sum)");
        ApiRole? parsedRole = role switch
        {
            null => null,
            "monitor" => ApiRole.Monitor,
            "admin" => ApiRole.Admin,
            _ => null,
        };
        if (role is not null && parsedRole is null)
        {
            _errors.Add(token.Value("role")!, $"'role' must be monitor (reads) or admin (reads and changes), not '{role}'");
        }

        if (name is not null && !names.Add(name))
        {
            _errors.Add(token.Value("name")!, $"token name '{name}' is used twice; the audit log must tell callers apart");
            name = null;
        }

        var bytes = hash is null ? null : ParseSha256(hash);
        if (hash is not null && bytes is null)
        {
            _errors.Add(token.Value("sha256")!, $"'sha256' must be {Sha256HexLength} hex digits (the token's SHA-256, never the token itself), got {hash.Length} characters");
        }

        return name is null || parsedRole is null || bytes is null ? null : new ApiToken(name, parsedRole.Value, bytes);
    }

    private static byte[]? ParseSha256(string hex)
    {
        if (hex.Length != Sha256HexLength)
        {
            return null;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return null;
            }
        }

        return Convert.FromHexString(hex);
    }
}
