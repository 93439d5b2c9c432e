using System.Buffers;
using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Hostile input must end in a failed outcome, never an exception (a protocol error closes one connection).</summary>
public class RobustnessTests
{
    private static readonly string[] Keys =
    [
        "InitiatorName", "TargetName", "SessionType", "InitiatorAlias", "HeaderDigest", "DataDigest", "MaxConnections",
        "InitialR2T", "ImmediateData", "MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait",
        "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel",
        "TaskReporting", "iSCSIProtocolLevel", "X#NodeArchitecture", "IFMarker", "OFMarkInt", "SendTargets", "TargetAlias",
        "TargetAddress", "TargetPortalGroupTag", "AuthMethod", "CHAP_A", "CHAP_N", "X-com.example.K",
    ];

    private static readonly string[] Values =
    [
        "", "0", "1", "512", "65536", "16777215", "16777216", "18446744073709551616", "0x", "0x10", "0b", "0bAA==", "Yes", "No",
        "None", "CRC32C", "CRC32C,None", ",", "Reject", "Irrelevant", "NotUnderstood", "Normal", "Discovery", "All",
        "iqn.1994-05.com.example:h", "naa.", "RFC3720", "-1", "1~2", "\u00e9", "5,7",
    ];

    [Fact]
    public void RandomRequests_NeverThrow()
    {
        var random = new Random(7143);
        for (var login = 0; login < 2000; login++)
        {
            var negotiator = new LoginNegotiator(new TargetNegotiationLimits { MaxBurstLength = 65536 }, random.Next(2) == 0);
            for (var request = 0; request < 4; request++)
            {
                var offered = new List<KeyValuePair<string, string>>();
                for (var i = random.Next(8); i > 0; i--)
                {
                    offered.Add(new(Keys[random.Next(Keys.Length)], Values[random.Next(Values.Length)]));
                }

                var response = new List<KeyValuePair<string, string>>();
                var phase = (LoginPhase)random.Next(3);
                var outcome = negotiator.Process(phase, offered, response);
                negotiator.AppendTargetDeclarations(response);
                Assert.True(outcome.IsSuccess || outcome.Reason is not null);
            }
        }
    }

    [Fact]
    public void RandomBytes_ParseOrFailWithReason()
    {
        var random = new Random(3720);
        var buffer = new byte[64];
        for (var i = 0; i < 5000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            for (var j = 0; j < length; j++)
            {
                // Bias toward the bytes that structure text.
                buffer[j] = (buffer[j] % 5) switch { 0 => 0, 1 => (byte)'=', _ => buffer[j] };
            }

            var pairs = new List<KeyValuePair<string, string>>();
            var ok = TextParameters.TryParse(new ReadOnlySequence<byte>(buffer, 0, length), pairs, out var error);
            Assert.True(ok || (error is not null && pairs.Count == 0));
        }
    }
}
