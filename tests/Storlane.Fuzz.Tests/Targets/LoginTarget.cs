using System.Buffers;
using System.Text;
using Storlane.Fuzz.Tests.Engine;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Login;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// Login text through the target's side of a login: <see cref="TextParameters.TryParse"/> over random
/// segment cuts, then <see cref="ChapTargetAuthenticator"/> and <see cref="LoginNegotiator"/> request
/// by request (the input is cut into up to four requests at NUL bytes), and a Text Request in full
/// feature phase at the end. Rules: no exception; a refusal carries a reason; the parse does not
/// depend on the cuts; what parses re-encodes to the same pairs; what the target answers, its own
/// parser accepts (RFC 7143 6.1 lengths and character sets hold for both directions).
/// </summary>
internal sealed class LoginTarget : FuzzTarget
{
    private static readonly ChapCredential Initiator = new("initiator", "initiator-secret-0123");
    private static readonly ChapCredential Mutual = new("target", "target-secret-456789");

    public override string Name => "login";

    public override IEnumerable<byte[]> BuiltInSeeds()
    {
        yield return Text("InitiatorName=iqn.1994-05.com.example:h1", "TargetName=iqn.2026-11.io.storlane:test", "SessionType=Normal",
            "AuthMethod=CHAP,None", "CHAP_A=5", "HeaderDigest=CRC32C,None", "DataDigest=None", "MaxRecvDataSegmentLength=262144",
            "MaxBurstLength=16776192", "FirstBurstLength=262144", "ImmediateData=Yes", "InitialR2T=No", "MaxOutstandingR2T=1",
            "ErrorRecoveryLevel=0", "DefaultTime2Wait=2", "DefaultTime2Retain=0", "MaxConnections=1", "DataPDUInOrder=Yes",
            "DataSequenceInOrder=Yes", "iSCSIProtocolLevel=1", "TaskReporting=ResponseFence", "X#NodeArchitecture=Storlane/0.1");
        yield return Text("InitiatorName=iqn.1994-05.com.example:h1", "SessionType=Discovery", "AuthMethod=None", "SendTargets=All");
        yield return Text("CHAP_N=initiator", "CHAP_R=0x0123456789abcdef0123456789abcdef", "CHAP_I=7", "CHAP_C=0b3q2+7w==");
    }

    public override void Execute(byte[] input, int seed)
    {
        var random = new Random(seed);
        var negotiator = new LoginNegotiator(new TargetNegotiationLimits { MaxBurstLength = random.Next(2) == 0 ? 65536 : 16777215 }, random.Next(4) != 0);
        var authenticator = new ChapTargetAuthenticator(random.Next(2) == 0 ? Initiator : null, random.Next(2) == 0 ? Mutual : null);
        var requests = CutAtNuls(input, 1 + random.Next(4), random);
        var phase = random.Next(3) == 0 ? LoginPhase.Operational : LoginPhase.Security;
        foreach (var request in requests)
        {
            var pairs = Parse(request, random);
            if (pairs is null)
            {
                return; // refused with a reason: the login ends here
            }

            var response = new List<KeyValuePair<string, string>>();
            if (phase == LoginPhase.Security)
            {
                var security = authenticator.Process(pairs, response);
                if (security.IsFailed)
                {
                    Require(security.Reason is not null, "a failed security outcome without a reason");
                    return;
                }
            }

            var outcome = negotiator.Process(phase, pairs, response);
            if (!outcome.IsSuccess)
            {
                Require(outcome.Reason is not null, "a failed negotiation without a reason");
                return;
            }

            if (phase == LoginPhase.Operational)
            {
                negotiator.AppendTargetDeclarations(response);
            }

            RequireParsable(response);
            if (phase == LoginPhase.Security && random.Next(2) == 0)
            {
                var end = authenticator.EndSecurityPhase();
                Require(!end.IsFailed || end.Reason is not null, "a failed end of security without a reason");
                phase = end.IsFailed ? phase : LoginPhase.Operational;
            }
            else if (phase == LoginPhase.Operational && random.Next(3) == 0)
            {
                phase = LoginPhase.FullFeature;
            }
        }
    }

    private static List<KeyValuePair<string, string>>? Parse(byte[] text, Random random)
    {
        var whole = new List<KeyValuePair<string, string>>();
        var wholeOk = TextParameters.TryParse(new ReadOnlySequence<byte>(text), whole, out var wholeError);
        var split = new List<KeyValuePair<string, string>>();
        var splitOk = TextParameters.TryParse(Segments.SplitRandomly(text, random), split, out var splitError);
        Require(wholeOk == splitOk && wholeError == splitError && whole.SequenceEqual(split), "segment cuts changed the parse");
        Require(wholeOk || (wholeError is not null && whole.Count == 0), "a failed parse without a reason, or with pairs left behind");
        if (wholeOk)
        {
            var writer = new ArrayBufferWriter<byte>();
            TextParameters.AppendAll(writer, whole);
            var again = new List<KeyValuePair<string, string>>();
            Require(TextParameters.TryParse(new ReadOnlySequence<byte>(writer.WrittenMemory), again, out _) && again.SequenceEqual(whole), "parsed pairs do not re-encode to the same pairs");
        }

        return wholeOk ? whole : null;
    }

    private static void RequireParsable(List<KeyValuePair<string, string>> response)
    {
        var writer = new ArrayBufferWriter<byte>();
        TextParameters.AppendAll(writer, response);
        var back = new List<KeyValuePair<string, string>>();
        Require(TextParameters.TryParse(new ReadOnlySequence<byte>(writer.WrittenMemory), back, out var error), $"the target's answer does not parse: {error}");
    }

    /// <summary>Cuts after NUL bytes so that each request holds whole pairs, like an initiator's PDUs.</summary>
    private static List<byte[]> CutAtNuls(byte[] input, int pieces, Random random)
    {
        var nuls = new List<int>();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == 0)
            {
                nuls.Add(i + 1);
            }
        }

        var cuts = new SortedSet<int>();
        for (var i = 1; i < pieces && nuls.Count > 0; i++)
        {
            cuts.Add(nuls[random.Next(nuls.Count)]);
        }

        var result = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts.Append(input.Length))
        {
            if (cut > start)
            {
                result.Add(input[start..cut]);
                start = cut;
            }
        }

        return result;
    }

    private static byte[] Text(params string[] pairs) => Encoding.UTF8.GetBytes(string.Join('\0', pairs) + "\0");

    private static void Require(bool condition, string rule)
    {
        if (!condition)
        {
            throw new FuzzAssertionException(rule);
        }
    }
}
