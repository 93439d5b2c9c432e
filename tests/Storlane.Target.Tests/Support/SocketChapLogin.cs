using System.Net;
using System.Net.Sockets;
using System.Text;
using Storlane.Iscsi;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Tests.Support;

/// <summary>
/// One CHAP login over a real TCP connection: names and AuthMethod=CHAP, CHAP_A=5, then CHAP_N and
/// the CHAP_R computed from <c>secret</c>. Returns the status of the last Login Response.
/// </summary>
internal static class SocketChapLogin
{
    public static async Task<LoginStatus> AttemptAsync(IPEndPoint portal, string initiator, string target, string user, string secret)
    {
        using var socket = new Socket(portal.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(portal);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        uint itt = 1;
        var first = await ExchangeAsync(stream, itt, [("InitiatorName", initiator), ("TargetName", target), ("SessionType", "Normal"), ("AuthMethod", "CHAP")]);
        if (first.Status != LoginStatus.Success)
        {
            return first.Status;
        }

        var challenge = await ExchangeAsync(stream, itt, [("CHAP_A", "5")]);
        if (challenge.Status != LoginStatus.Success)
        {
            return challenge.Status;
        }

        var id = byte.Parse(challenge.Keys["CHAP_I"], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = Convert.FromHexString(challenge.Keys["CHAP_C"].AsSpan(2)); // "0x" and hex digits, as Storlane sends it
        var answer = ChapResponse.Compute(id, Encoding.UTF8.GetBytes(secret), bytes);
        var last = await ExchangeAsync(stream, itt, [("CHAP_N", user), ("CHAP_R", "0x" + Convert.ToHexString(answer))], transit: true);
        return last.Status;
    }

    private static async Task<(LoginStatus Status, Dictionary<string, string> Keys)> ExchangeAsync(NetworkStream stream, uint itt, (string, string)[] keys, bool transit = false)
    {
        var data = PduClient.EncodeKeys(keys);
        await stream.WriteAsync(LoginHeader(itt, transit, data.Length));
        await stream.WriteAsync(data);
        await stream.WriteAsync(new byte[(4 - (data.Length % 4)) % 4]);

        var response = new byte[Bhs.Length];
        await stream.ReadExactlyAsync(response);
        var length = new Bhs(response).DataSegmentLength;
        var text = new byte[(length + 3) & ~3];
        await stream.ReadExactlyAsync(text);
        return (new Bhs(response).LoginStatus, new ReceivedPdu(response, text[..length]).Keys());
    }

    private static byte[] LoginHeader(uint itt, bool transit, int dataLength)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.LoginRequest, immediate: true);
        bhs.Transit = transit;
        bhs.CurrentStage = LoginStage.SecurityNegotiation;
        bhs.NextStage = transit ? LoginStage.LoginOperationalNegotiation : 0;
        bhs.Isid = 0x0000_2300_0001;
        bhs.InitiatorTaskTag = itt;
        bhs.CmdSN = 1;
        bhs.DataSegmentLength = dataLength;
        return header;
    }
}
