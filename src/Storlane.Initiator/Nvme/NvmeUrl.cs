using System.Globalization;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// An NVMe/TCP namespace as a URL: <c>nvme+tcp://host[:port]/subsystem-nqn/nsid</c>, port 4420 by
/// default, IPv6 hosts in brackets. The NQN is everything between the first and the last '/'
/// (percent-decoded); the NSID is a decimal above zero (Storlane serves LUN n as NSID n + 1).
/// Query keys, joined with '&amp;': <c>hdgst=1</c> and <c>ddgst=1</c> ask for header and data
/// digests, <c>queues=N</c> the I/O queue count, <c>hostnqn=...</c> the host NQN:
/// <c>nvme+tcp://127.0.0.1:4420/nqn.2014-08.org.storlane:iqn.2026-11.io.storlane:default/1?hdgst=1</c>.
/// </summary>
public sealed record NvmeUrl
{
    public const string Scheme = "nvme+tcp://";
    public const int DefaultPort = 4420;

    public required string Host { get; init; }

    public int Port { get; init; } = DefaultPort;

    public required string SubsystemNqn { get; init; }

    /// <summary>The namespace, or null for a URL that names only the subsystem.</summary>
    public uint? Nsid { get; init; }

    public bool HeaderDigest { get; init; }

    public bool DataDigest { get; init; }

    public int? IoQueues { get; init; }

    public string? HostNqn { get; init; }

    /// <summary>The portal as "host:port", with IPv6 hosts in brackets: the path's name.</summary>
    public string Portal => (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    public static bool IsNvmeUrl(string url) => url.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static NvmeUrl Parse(string url) => TryParse(url, out var parsed, out var error) ? parsed : throw new FormatException(error);

    public static bool TryParse(string url, out NvmeUrl parsed, out string error)
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

    /// <summary>The options of <paramref name="options"/> with this URL's digests, queue count and host NQN applied.</summary>
    public NvmeHostOptions Apply(NvmeHostOptions options) => options with
    {
        HeaderDigest = options.HeaderDigest || HeaderDigest,
        DataDigest = options.DataDigest || DataDigest,
        IoQueues = IoQueues ?? options.IoQueues,
        HostNqn = HostNqn ?? options.HostNqn,
    };

    public override string ToString()
    {
        var text = Scheme + Portal + "/" + Uri.EscapeDataString(SubsystemNqn).Replace("%3A", ":", StringComparison.Ordinal) + (Nsid is { } nsid ? "/" + nsid.ToString(CultureInfo.InvariantCulture) : "");
        var query = new List<string>();
        if (HeaderDigest)
        {
            query.Add("hdgst=1");
        }

        if (DataDigest)
        {
            query.Add("ddgst=1");
        }

        if (IoQueues is { } queues)
        {
            query.Add("queues=" + queues.ToString(CultureInfo.InvariantCulture));
        }

        if (HostNqn is not null)
        {
            query.Add("hostnqn=" + Uri.EscapeDataString(HostNqn));
        }

        return query.Count == 0 ? text : text + "?" + string.Join('&', query);
    }

    private static string? Parse(string url, out NvmeUrl? parsed)
    {
        parsed = null;
        const string Form = "an NVMe/TCP URL is nvme+tcp://host[:port]/subsystem-nqn/nsid";
        if (string.IsNullOrEmpty(url) || !IsNvmeUrl(url))
        {
            return $"'{url}' is not an NVMe/TCP URL ({Form})";
        }

        var rest = url[Scheme.Length..];
        string? queryText = null;
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            queryText = rest[(question + 1)..];
            rest = rest[..question];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (ParseAuthority(authority, out var host, out var port) is { } authorityError)
        {
            return $"'{url}': {authorityError} ({Form})";
        }

        if (path.Length == 0)
        {
            return $"'{url}' names no subsystem NQN ({Form})";
        }

        uint? nsid = null;
        var last = path.LastIndexOf('/');
        var nqnText = path;
        if (last >= 0)
        {
            var nsidText = path[(last + 1)..];
            if (!uint.TryParse(nsidText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is 0 or 0xFFFF_FFFF)
            {
                return $"'{url}': the namespace ID '{nsidText}' is not a number from 1 to 4294967294 ({Form})";
            }

            nsid = value;
            nqnText = path[..last];
        }

        var nqn = Uri.UnescapeDataString(nqnText);
        if (nqn.Length == 0 || nqn.Length > 223 || !nqn.StartsWith("nqn.", StringComparison.Ordinal))
        {
            return $"'{url}': '{nqn}' is not an NQN (nqn.yyyy-mm.domain:name, at most 223 bytes; NVMe base 2.0, 4.5)";
        }

        var result = new NvmeUrl { Host = host!, Port = port, SubsystemNqn = nqn, Nsid = nsid };
        if (queryText is not null && ParseQuery(queryText, ref result) is { } queryError)
        {
            return $"'{url}': {queryError}";
        }

        parsed = result;
        return null;
    }

    private static string? ParseAuthority(string authority, out string? host, out int port)
    {
        host = null;
        port = DefaultPort;
        string portText;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "an IPv6 host has no closing ']'";
            }

            host = authority[1..close];
            portText = authority[(close + 1)..];
            if (portText.Length > 0 && portText[0] != ':')
            {
                return "text follows the IPv6 host";
            }

            portText = portText.Length > 0 ? portText[1..] : string.Empty;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? string.Empty : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            return "no host";
        }

        if (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return $"the port '{portText}' is not 1 to 65535";
        }

        return null;
    }

    private static string? ParseQuery(string query, ref NvmeUrl url)
    {
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key)
            {
                case "hdgst" or "ddgst":
                    if (value is not ("0" or "1"))
                    {
                        return $"{key} takes 0 or 1, not '{value}'";
                    }

                    url = key == "hdgst" ? url with { HeaderDigest = value == "1" } : url with { DataDigest = value == "1" };
                    break;
                case "queues":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var queues) || queues is < 1 or > 64)
                    {
                        return $"queues takes 1 to 64, not '{value}'";
                    }

                    url = url with { IoQueues = queues };
                    break;
                case "hostnqn":
                    if (!value.StartsWith("nqn.", StringComparison.Ordinal) || value.Length > 223)
                    {
                        return $"hostnqn '{value}' is not an NQN";
                    }

                    url = url with { HostNqn = value };
                    break;
                default:
                    return $"unknown query key '{key}' (hdgst, ddgst, queues, hostnqn)";
            }
        }

        return null;
    }
}
