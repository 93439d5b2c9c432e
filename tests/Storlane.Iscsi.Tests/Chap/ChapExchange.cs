using System.Text;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Tests.Login;

namespace Storlane.Iscsi.Tests.Chap;

/// <summary>Plays the initiator against a <see cref="ChapTargetAuthenticator"/>.</summary>
internal sealed class ChapExchange
{
    public static readonly ChapCredential Initiator = new("iqn.1994-05.com.example:host1", "initiator-secret-01");
    public static readonly ChapCredential Target = new("iqn.2025-01.dev.storlane:disk1", "target-secret-0002");

    public ChapExchange(ChapCredential? required, ChapCredential? mutual = null)
    {
        Authenticator = new ChapTargetAuthenticator(required, mutual);
    }

    public ChapTargetAuthenticator Authenticator { get; }

    public List<KeyValuePair<string, string>> Response { get; private set; } = [];

    public SecurityOutcome Send(params string[] pairs)
    {
        Response = [];
        return Authenticator.Process(Pairs.Of(pairs), Response);
    }

    /// <summary>AuthMethod=CHAP then CHAP_A=5; returns the target's CHAP_I and decoded CHAP_C.</summary>
    public (byte Id, byte[] Challenge) Start()
    {
        Assert.Equal(SecurityState.InProgress, Send("AuthMethod=CHAP,None").State);
        Assert.Equal(SecurityState.InProgress, Send("CHAP_A=5").State);
        var id = byte.Parse(Pairs.Find(Response, "CHAP_I")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(TextValues.TryDecodeBinary(Pairs.Find(Response, "CHAP_C")!, out var challenge));
        return (id, challenge);
    }

    public static string Hex(byte[] bytes) => TextValues.EncodeHex(bytes);

    public static byte[] Answer(byte id, string secret, byte[] challenge) => ChapResponse.Compute(id, Encoding.UTF8.GetBytes(secret), challenge);
}
