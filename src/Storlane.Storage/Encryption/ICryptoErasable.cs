namespace Storlane.Storage.Encryption;

/// <summary>A device whose data is stored encrypted, so destroying the key erases it (SBC-3 SANITIZE CRYPTOGRAPHIC ERASE).</summary>
public interface ICryptoErasable
{
    /// <summary>Replaces the key durably; everything written before reads back as noise.</summary>
    ValueTask CryptoEraseAsync(CancellationToken cancellationToken = default);
}
