using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Storlane.Management;

/// <summary>
/// The API's optional TCP listener: TLS only (a plain-HTTP request gets no API answer, the
/// handshake fails and the connection closes), TLS 1.2 or later, HTTP/1.1 and HTTP/2. Over TCP
/// there are no peer credentials, so every caller needs a bearer token (<see cref="CallerResolver"/>).
/// </summary>
internal static class TlsListener
{
    /// <summary>Reads the PEM certificate and key the config names.</summary>
    /// <exception cref="ManagementStartException">A file is missing, unreadable, not PEM, or the key does not match.</exception>
    public static X509Certificate2 LoadCertificate(PemFile certificate, PemFile key)
    {
        Readable(certificate, "certificate");
        Readable(key, "key");
        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(certificate.Path, key.Path);
            if (loaded.NotAfter < DateTime.Now)
            {
                throw new ManagementStartException($"{certificate.Origin}: the management certificate {certificate.Path} expired on {loaded.NotAfter:u}");
            }

            // Copied so the private key is an ordinary key object, not the ephemeral one of the PEM import.
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new ManagementStartException($"{certificate.Origin}: cannot use {certificate.Path} with the key {key.Path} ({key.Origin}): {e.Message} (both must be PEM, the key PKCS#8, RSA or EC, and belong to the certificate)", e);
        }
        catch (ArgumentException e)
        {
            throw new ManagementStartException($"{certificate.Origin}: {certificate.Path} or {key.Path} holds no PEM certificate or key: {e.Message}", e);
        }
    }

    public static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint, X509Certificate2 certificate) =>
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            });
        });

    /// <summary>The TCP endpoint Kestrel bound (the OS's choice when the config asked for port 0), from the server's addresses.</summary>
    public static IPEndPoint? Bound(IServerAddressesFeature? addresses)
    {
        foreach (var address in addresses?.Addresses ?? [])
        {
            if (address.StartsWith("https://", StringComparison.Ordinal) && Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
            {
                return new IPEndPoint(ip, uri.Port);
            }
        }

        return null;
    }

    private static void Readable(PemFile file, string what)
    {
        try
        {
            using var stream = File.OpenRead(file.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManagementStartException($"{file.Origin}: cannot read the management {what} {file.Path}: {e.Message}", e);
        }
    }
}
