using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Tests.Support;

/// <summary>Header-only requests the tests send through a <see cref="PduClient"/>, numbered from its counters.</summary>
internal static class RequestHeaders
{
    /// <summary>TASK MANAGEMENT FUNCTION REQUEST (RFC 7143 11.5), immediate.</summary>
    public static byte[] TaskManagement(PduClient client, TaskManagementFunction function, ulong lun, uint refTag = Bhs.ReservedTag, uint refCmdSN = 0)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.TaskManagementRequest, immediate: true);
        bhs.TaskManagementFunction = function;
        bhs.LunField = Lun.Encode(lun);
        bhs.InitiatorTaskTag = client.NextItt++;
        bhs.ReferencedTaskTag = refTag;
        bhs.CmdSN = client.CmdSN;
        bhs.RefCmdSN = refCmdSN;
        return header;
    }

    /// <summary>NOP-Out (RFC 7143 11.18) asking for a NOP-In: immediate, no target transfer tag.</summary>
    public static byte[] NopOut(PduClient client)
    {
        var header = new byte[Bhs.Length];
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.NopOut, immediate: true);
        bhs.Final = true;
        bhs.InitiatorTaskTag = client.NextItt++;
        bhs.TargetTransferTag = Bhs.ReservedTag;
        bhs.CmdSN = client.CmdSN;
        return header;
    }
}
