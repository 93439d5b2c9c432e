namespace Storlane.Storage.Encryption;

/// <summary>Where an encrypted LUN's key lives (64 bytes: the XTS-AES-256 data and tweak keys).</summary>
public interface ILunKeyStore
{
    const int KeyBytes = 64;

    /// <summary>The current key; creates one when there is none yet.</summary>
    byte[] LoadOrCreate();

    /// <summary>Durably replaces the key: after a crash either the old or the new key is found, never a torn one.</summary>
    void Replace(ReadOnlySpan<byte> key);
}
