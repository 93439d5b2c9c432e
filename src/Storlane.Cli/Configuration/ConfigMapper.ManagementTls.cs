using System.Net;
using Storlane.Management;

namespace Storlane.Cli.Configuration;

/// <summary>
/// The `management:` section's TCP listener: `listen` (an IP literal and port), served over TLS
/// only, so `certificate` and `key` come with it. The files are read when serve starts; their
/// positions here go along, so a file that cannot be read is reported where the config names it.
/// </summary>
internal sealed partial class ConfigMapper
{
    private void MapTcpListener(YamlSection section, ManagementOptions options)
    {
        var listen = section.String("listen");
        options.Certificate = MapPemFile(section, "certificate");
        options.Key = MapPemFile(section, "key");
        if (listen is null)
        {
            foreach (var key in (string[])["certificate", "key"])
            {
                if (section.Value(key) is { } orphan)
                {
                    _errors.Add(orphan, $"'{key}' is for the TLS listener: add 'listen' (e.g. listen: 127.0.0.1:8443) or remove it");
                }
            }

            return;
        }

        var node = section.Value("listen")!;
        if (!IPEndPoint.TryParse(listen, out var endpoint) || endpoint.Port == 0)
        {
            _errors.Add(node, $"'listen' must be an IP address and a port 1..65535 (127.0.0.1:8443, [::1]:8443), not '{listen}'");
            return;
        }

        if (options.Certificate is null || options.Key is null)
        {
            _errors.Add(node, "the API over TCP is served with TLS only: 'listen' needs 'certificate' and 'key' (PEM files)");
            return;
        }

        options.Listen = endpoint;
    }

    private PemFile? MapPemFile(YamlSection section, string key)
    {
        var path = section.String(key);
        if (path is { Length: 0 })
        {
            _errors.Add(section.Value(key)!, $"'{key}' cannot be empty");
            return null;
        }

        if (path is null)
        {
            return null;
        }

        var node = section.Value(key)!;
        return new PemFile(Path.GetFullPath(path, _dataDirectory), $"{_errors.File}:{node.Start.Line}:{node.Start.Column}");
    }
}
