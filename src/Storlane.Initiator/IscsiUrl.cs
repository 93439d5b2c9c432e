using System.Globalization;
using System.Net;
using System.Text;

namespace Storlane.Initiator;

/// <summary>
/// An iSCSI URL as libiscsi spells it: <c>iscsi://[user[%secret]@]host[:port][/target-iqn[/lun]]</c>,
/// with mutual-CHAP credentials in the query (<c>?target_user=...&amp;target_password=...</c>).
/// The first '%' of the user part separates user and secret (so a user name cannot contain '%');
/// the secret, the target name and query values are percent-decoded, so '%', '@', '/' and '?' in a
/// secret are written %25, %40, %2F and %3F. IPv6 hosts go in brackets: <c>iscsi://[::1]:3260/...</c>.
/// <para>
/// Query keys (libiscsi style, joined with '&amp;'): <c>target_user</c> and <c>target_password</c>
/// for mutual CHAP, and <c>local_address=IPv4</c> (or an IPv6 literal) to bind the session's
/// socket to that source address before connecting, so each path of a multipath disk leaves
/// through its own interface: <c>iscsi://10.231.1.2:3260/iqn.x/0?local_address=10.231.0.11</c>.
/// </para>
/// </summary>
public sealed record IscsiUrl
{
    public const string Scheme = "iscsi://";
    public const int DefaultPort = 3260;

    /// <summary>Highest LUN the flat addressing method reaches (SAM-5 4.7.7).</summary>
    public const int MaxLun = 16383;

    private const string TargetUserKey = "target_user";
    private const string TargetPasswordKey = "target_password";
    private const string LocalAddressKey = "local_address";

    public required string Host { get; init; }

    public int Port { get; init; } = DefaultPort;

    /// <summary>The target's iSCSI name, or null for a URL that only names a portal (discovery).</summary>
    public string? TargetName { get; init; }

    /// <summary>The LUN, or null when the URL stops at the target.</summary>
    public int? Lun { get; init; }

    /// <summary>CHAP user (CHAP_N), or null for AuthMethod=None.</summary>
    public string? User { get; init; }

    public string? Secret { get; init; }

    /// <summary>Name the target must prove with mutual CHAP.</summary>
    public string? TargetUser { get; init; }

    public string? TargetSecret { get; init; }

    /// <summary>Source address the session binds to before connecting (<c>?local_address=</c>), or null for the system's choice.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The portal as "host:port", with IPv6 hosts in brackets.</summary>
    public string Portal => (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The name of the path this URL opens: the portal, plus the source address when one is bound
    /// ("127.0.0.1:3260 via 127.0.0.5"), so two paths to one portal from different interfaces keep
    /// apart in per-path counters and failover events. Just the portal otherwise.
    /// </summary>
    public string PathName => LocalAddress is null ? Portal : Portal + " via " + LocalAddress;

    public static IscsiUrl Parse(string url)
    {
        if (!TryParse(url, out var parsed, out var error))
        {
            throw new FormatException(error);
        }

        return parsed;
    }

    public static bool TryParse(string url, out IscsiUrl parsed, out string error)
    {
        parsed = null!;
        error = Parse(url, out var result) ?? string.Empty;
        if (result is null)
        {
            return false;
        }

        parsed = result;
        return true;
    }

    /// <summary>The URL with every credential, for handing to another tool; keep it out of logs.</summary>
    public string ToUriString() => Format(includeSecrets: true);

    /// <summary>The URL with secrets left out, safe to log.</summary>
    public override string ToString() => Format(includeSecrets: false);

    private string Format(bool includeSecrets)
    {
        var text = new StringBuilder(Scheme);
        if (User is not null)
        {
            text.Append(User);
            if (Secret is not null)
            {
                text.Append('%').Append(includeSecrets ? Uri.EscapeDataString(Secret) : "***");
            }

            text.Append('@');
        }

        text.Append(Portal);
        if (TargetName is not null)
        {
            text.Append('/').Append(Uri.EscapeDataString(TargetName).Replace("%3A", ":", StringComparison.Ordinal));
            if (Lun is { } lun)
            {
                text.Append('/').Append(lun.ToString(CultureInfo.InvariantCulture));
            }
        }

        var separator = '?';
        if (TargetUser is not null)
        {
            text.Append(separator).Append(TargetUserKey).Append('=').Append(Uri.EscapeDataString(TargetUser));
            separator = '&';
            if (TargetSecret is not null)
            {
                text.Append(separator).Append(TargetPasswordKey).Append('=').Append(includeSecrets ? Uri.EscapeDataString(TargetSecret) : "***");
            }
        }

        if (LocalAddress is not null)
        {
            text.Append(separator).Append(LocalAddressKey).Append('=').Append(LocalAddress.ToString());
        }

        return text.ToString();
    }

    private static string? Parse(string? url, out IscsiUrl? result)
    {
        result = null;
        if (string.IsNullOrEmpty(url))
        {
            return "the iSCSI URL is empty";
        }

        if (!url.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return $"an iSCSI URL starts with '{Scheme}' (iscsi://[user[%secret]@]host[:port]/target-iqn/lun)";
        }

        var rest = url[Scheme.Length..];
        string? query = null;
        var questionMark = rest.IndexOf('?', StringComparison.Ordinal);
        if (questionMark >= 0)
        {
            query = rest[(questionMark + 1)..];
            rest = rest[..questionMark];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..];

        string? user = null;
        string? secret = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var percent = userInfo.IndexOf('%', StringComparison.Ordinal);
            user = percent < 0 ? userInfo : userInfo[..percent];
            if (user.Length == 0)
            {
                return "the CHAP user before '@' is empty";
            }

            if (percent >= 0 && !TryUnescape(userInfo[(percent + 1)..], "the CHAP secret", out secret, out var secretError))
            {
                return secretError;
            }
        }

        var hostError = ParseHostPort(authority, out var host, out var port);
        if (hostError is not null)
        {
            return hostError;
        }

        string? target = null;
        int? lun = null;
        if (path.Length > 0)
        {
            var lunSlash = path.IndexOf('/', StringComparison.Ordinal);
            var targetText = lunSlash < 0 ? path : path[..lunSlash];
            if (!TryUnescape(targetText, "the target name", out target, out var targetError))
            {
                return targetError;
            }

            if (target.Length == 0)
            {
                return "the target name after the portal is empty";
            }

            if (lunSlash >= 0)
            {
                var lunText = path[(lunSlash + 1)..];
                if (!int.TryParse(lunText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedLun) || parsedLun > MaxLun)
                {
                    return $"the LUN '{lunText}' is not a number from 0 to {MaxLun}";
                }

                lun = parsedLun;
            }
        }

        string? targetUser = null;
        string? targetSecret = null;
        IPAddress? localAddress = null;
        if (query is not null)
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = equals < 0 ? pair : pair[..equals];
                if (!TryUnescape(equals < 0 ? string.Empty : pair[(equals + 1)..], key, out var value, out var valueError))
                {
                    return valueError;
                }

                switch (key)
                {
                    case TargetUserKey: targetUser = value; break;
                    case TargetPasswordKey: targetSecret = value; break;
                    case LocalAddressKey:
                        if (!TryParseAddress(value, out localAddress))
                        {
                            return $"the URL parameter {LocalAddressKey} '{value}' is not an IP address (local_address=10.0.0.11)";
                        }

                        break;
                    default: return $"unknown URL parameter '{key}' (supported: {TargetUserKey}, {TargetPasswordKey}, {LocalAddressKey})";
                }
            }
        }

        if ((targetUser is null) != (targetSecret is null))
        {
            return $"mutual CHAP needs both {TargetUserKey} and {TargetPasswordKey}";
        }

        if (targetUser is not null && user is null)
        {
            return "mutual CHAP needs the initiator's CHAP user and secret too (user%secret@host)";
        }

        if (user is not null && secret is null)
        {
            return $"the CHAP user '{user}' has no secret (user%secret@host)";
        }

        result = new IscsiUrl
        {
            Host = host!,
            Port = port,
            TargetName = target,
            Lun = lun,
            User = user,
            Secret = secret,
            TargetUser = targetUser,
            TargetSecret = targetSecret,
            LocalAddress = localAddress,
        };
        return null;
    }

    /// <summary>
    /// A dotted-quad IPv4 address or an IPv6 literal; not the shorthands <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// also takes ("10" for 0.0.0.10), which would bind somewhere nobody meant.
    /// </summary>
    private static bool TryParseAddress(string text, out IPAddress? address)
    {
        address = null;
        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Split('.').Length != 4)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static string? ParseHostPort(string authority, out string? host, out int port)
    {
        host = null;
        port = DefaultPort;
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return $"the IPv6 address in '{authority}' has no closing ']'";
            }

            host = authority[1..close];
            if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return $"'{host}' in brackets is not an IPv6 address";
            }

            var after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                return $"unexpected '{after}' after the IPv6 address";
            }

            portText = after.Length > 0 ? after[1..] : string.Empty;
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? string.Empty : authority[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal) || portText.Contains(':', StringComparison.Ordinal))
            {
                return "an IPv6 address in an iSCSI URL goes in brackets: iscsi://[::1]:3260/...";
            }
        }

        if (host.Length == 0)
        {
            return "the URL names no host";
        }

        if (portText.Length > 0
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is 0 or > 65535))
        {
            return $"the port '{portText}' is not a number from 1 to 65535";
        }

        return null;
    }

    private static bool TryUnescape(string text, string what, out string value, out string error)
    {
        value = string.Empty;
        error = string.Empty;
        for (var i = text.IndexOf('%', StringComparison.Ordinal); i >= 0; i = text.IndexOf('%', i + 1))
        {
            if (i + 2 >= text.Length || !Uri.IsHexDigit(text[i + 1]) || !Uri.IsHexDigit(text[i + 2]))
            {
                error = $"{what} has a '%' that does not start a %XX escape (write '%' as %25)";
                return false;
            }
        }

        value = Uri.UnescapeDataString(text);
        return true;
    }
}
