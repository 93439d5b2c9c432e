using System.Buffers.Binary;

namespace Storlane.Nvme.Target;

/// <summary>Fabrics commands (NVMe over Fabrics 1.1, 3.3): Connect, Property Get/Set, Disconnect.</summary>
internal sealed partial class NvmeTcpQueue
{
    private const int ConnectDataLength = 1024;
    private const byte ConnectDisableSqFlowControl = 0b100;
    private const int AdminInCapsuleData = 8192;

    /// <summary>The host disabled SQ flow control at Connect: SQHD means nothing to it, so reads may end in SUCCESS.</summary>
    private bool _sqFlowControlDisabled;

    private ValueTask<CommandResult> ExecuteAsync(SubmissionEntry sqe, byte[]? data, int length)
    {
        if (sqe.Opcode == (byte)AdminOpcode.Fabrics)
        {
            return ValueTask.FromResult(ExecuteFabrics(sqe, data, length));
        }

        var controller = _controller;
        if (controller is null)
        {
            // Fabrics 1.1, 3.3: "the first command ... on a queue shall be a Connect command".
            return ValueTask.FromResult<CommandResult>(NvmeStatus.CommandSequenceError);
        }

        if (QueueId == 0)
        {
            return ExecuteAdminAsync(controller, sqe);
        }

        return ExecuteIoAsync(controller, sqe, data, length);
    }

    private CommandResult ExecuteFabrics(in SubmissionEntry sqe, byte[]? data, int length)
    {
        switch (sqe.FabricsType)
        {
            case FabricsCommandType.Connect:
                return Connect(sqe, data, length);
            case FabricsCommandType.PropertyGet when _controller is not null && QueueId == 0:
                return PropertyGet(_controller, sqe);
            case FabricsCommandType.PropertySet when _controller is not null && QueueId == 0:
                return PropertySet(_controller, sqe);
            case FabricsCommandType.Disconnect when _controller is not null && QueueId != 0:
                Close("host disconnected the queue");
                return CommandResult.Ok;
            case FabricsCommandType.PropertyGet or FabricsCommandType.PropertySet or FabricsCommandType.Disconnect:
                return _controller is null ? NvmeStatus.CommandSequenceError : NvmeStatus.InvalidField;
            default:
                return NvmeStatus.InvalidOpcode;
        }
    }

    /// <summary>
    /// Connect (Fabrics 1.1, 3.3.1): RECFMT at 40, QID at 42, SQSIZE (0's based) at 44, CATTR at 46,
    /// KATO at 48; data: HOSTID 0..15, CNTLID 16..17, SUBNQN 256..511, HOSTNQN 512..767. A refused
    /// Connect is Connect Invalid Parameters with IATTR/IPO in DW0 naming the field (figure 21).
    /// </summary>
    private CommandResult Connect(in SubmissionEntry sqe, byte[]? data, int length)
    {
        if (_controller is not null)
        {
            return NvmeStatus.CommandSequenceError;
        }

        if (data is null || length < ConnectDataLength)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        var entry = sqe.Span;
        var recfmt = BinaryPrimitives.ReadUInt16LittleEndian(entry[40..]);
        var qid = BinaryPrimitives.ReadUInt16LittleEndian(entry[42..]);
        var sqsize = BinaryPrimitives.ReadUInt16LittleEndian(entry[44..]);
        var cattr = entry[46];
        var kato = BinaryPrimitives.ReadUInt32LittleEndian(entry[48..]);
        var connect = data.AsSpan(0, ConnectDataLength);
        var controllerId = BinaryPrimitives.ReadUInt16LittleEndian(connect[16..]);
        var subsystemNqn = NvmeText.ReadNullTerminated(connect.Slice(256, 256));
        var hostNqn = NvmeText.ReadNullTerminated(connect.Slice(512, 256));
        var hostId = new Guid(connect[..16], bigEndian: true);
        var limits = _server.Options.Limits;

        if (recfmt != 0)
        {
            return Refuse(new NvmeStatus(StatusCodeType.CommandSpecific, 0x80, true), 0, "record format " + recfmt);
        }

        var subsystem = _server.FindSubsystem(subsystemNqn, Portal);
        if (subsystem is null)
        {
            return RefuseParameter(true, 256, $"no subsystem {subsystemNqn} on this port");
        }

        if (!subsystem.Allows(hostNqn))
        {
            return Refuse(NvmeStatus.ConnectInvalidHost, 0, $"host {hostNqn} is not allowed on {subsystem.Nqn}");
        }

        // SQSIZE is 0's based; the admin queue has at least 32 entries (Fabrics 1.1, 3.3.1.1), none more than MQES + 1.
        if (sqsize < (qid == 0 ? 31 : 1) || sqsize >= limits.MaxQueueEntries)
        {
            return RefuseParameter(false, 44, $"SQSIZE {sqsize} (0's based) outside {(qid == 0 ? 31 : 1)}..{limits.MaxQueueEntries - 1}");
        }

        NvmeController controller;
        if (qid == 0)
        {
            if (controllerId != 0xFFFF)
            {
                return RefuseParameter(true, 16, $"CNTLID {controllerId} on an admin queue (the dynamic model takes FFFFh)");
            }

            var group = Portal.Group;
            var created = subsystem.CreateController(id => new NvmeController(id, subsystem, hostNqn, hostId, group, kato, limits, _logger));
            if (created is null)
            {
                return Refuse(new NvmeStatus(StatusCodeType.CommandSpecific, 0x81, false), 0, $"{subsystem.Nqn} holds {limits.MaxControllersPerSubsystem} controllers (the limit)");
            }

            controller = created;
            NvmeLog.ControllerCreated(_logger, controller.Id, subsystem.Nqn, hostNqn, Number, Remote, controller.KeepAliveMs);
        }
        else
        {
            var found = subsystem.FindController(controllerId);
            if (found is null || found.HostNqn != hostNqn || found.HostId != hostId)
            {
                return RefuseParameter(true, found is null ? 16u : 512u, $"no controller {controllerId} of {subsystem.Nqn} for {hostNqn}");
            }

            if (!found.IsReady)
            {
                return Refuse(NvmeStatus.CommandSequenceError, 0, $"controller {controllerId} is not enabled");
            }

            controller = found;
        }

        QueueId = qid;
        if (!controller.TryAddQueue(this, qid))
        {
            if (qid == 0)
            {
                controller.Remove("admin queue refused");
            }

            return RefuseParameter(false, 42, $"QID {qid} is taken or beyond the {controller.GrantedIoQueues} I/O queues granted");
        }

        _queueSize = sqsize + 1;

        // CATTR bit 2 (Fabrics 1.1, figure 20): the host asks that SQ flow control be disabled.
        _sqFlowControlDisabled = (cattr & ConnectDisableSqFlowControl) != 0;
        if (qid == 0)
        {
            // The admin queue's capsules carry at most 8 KiB of data (TCP 1.0, 3.3.1); IOCCSZ is for I/O queues.
            _limits = _limits with { MaxInCapsuleData = Math.Min(_limits.MaxInCapsuleData, AdminInCapsuleData) };
        }

        _controller = controller;
        controller.KeepAlive();
        return new CommandResult(NvmeStatus.Success, controller.Id);
    }

    private CommandResult RefuseParameter(bool inData, uint offset, string reason) =>
        Refuse(NvmeStatus.ConnectInvalidParameters, offset | (inData ? 1u << 16 : 0), reason);

    private CommandResult Refuse(NvmeStatus status, uint dword0, string reason)
    {
        NvmeLog.ConnectRefused(_logger, Remote, reason);
        return new CommandResult(status, dword0);
    }

    /// <summary>Property Get (Fabrics 1.1, 3.3.2): ATTRIB size at 40, OFST at 44; the value in DW0 (and DW1 for 8 bytes).</summary>
    private static CommandResult PropertyGet(NvmeController controller, in SubmissionEntry sqe)
    {
        var offset = sqe.Cdw11;
        ulong value;
        switch (offset)
        {
            case ControllerProperties.Cap:
                value = ControllerProperties.CapValue((ushort)controller.Limits.MaxQueueEntries, 20);
                break;
            case ControllerProperties.Version:
                value = ControllerProperties.VersionValue;
                break;
            case ControllerProperties.Configuration:
                value = controller.Configuration;
                break;
            case ControllerProperties.Status:
                value = controller.Status;
                break;
            default:
                return NvmeStatus.InvalidField;
        }

        return new CommandResult(NvmeStatus.Success, (uint)value, (uint)(value >> 32));
    }

    /// <summary>Property Set (Fabrics 1.1, 3.3.3): only CC is writable; VALUE at 48.</summary>
    private static CommandResult PropertySet(NvmeController controller, in SubmissionEntry sqe)
    {
        if (sqe.Cdw11 != ControllerProperties.Configuration)
        {
            return NvmeStatus.InvalidField;
        }

        controller.SetConfiguration(sqe.Cdw12);
        return CommandResult.Ok;
    }
}
