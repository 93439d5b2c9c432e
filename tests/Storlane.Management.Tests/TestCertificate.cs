using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Storlane.Management.Tests;

/// <summary>A self-signed P-256 certificate for 127.0.0.1, written once per test run as the PEM files the config names.</summary>
internal static class TestCertificate
{
    private static readonly Lazy<(string Certificate, string Key)> Files = new(Write);

    public static string CertificatePath => Files.Value.Certificate;

    public static string KeyPath => Files.Value.Key;

    public static PemFile Certificate => new(CertificatePath, "test:1:1");

    public static PemFile Key => new(KeyPath, "test:2:1");

    private static (string, string) Write()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=storlane-api-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var folder = Directory.CreateTempSubdirectory("storlane-api-cert-").FullName;
        var certificatePath = Path.Combine(folder, "api.crt");
        var keyPath = Path.Combine(folder, "api.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
