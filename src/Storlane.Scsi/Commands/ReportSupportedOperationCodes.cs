using System.Buffers.Binary;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const int CommandDescriptorLength = 8;
    private const int TimeoutsDescriptorLength = 12;

    /// <summary>
    /// SPC-4 6.35 REPORT SUPPORTED OPERATION CODES (MAINTENANCE IN A3h, service action 0Ch), built
    /// from <see cref="CommandTable"/>, the table dispatch uses. REPORTING OPTIONS: 000b all commands;
    /// 001b one command by opcode ("If the REQUESTED OPERATION CODE field specifies an operation code
    /// that has service actions, ... INVALID FIELD IN CDB"); 010b by opcode and service action (an
    /// opcode we implement without service actions is INVALID FIELD IN CDB); 011b by opcode, and by
    /// service action when the opcode has them. RCTD = 1 adds a command timeouts descriptor.
    /// </summary>
    public static ValueTask<ScsiResult> ReportSupportedOperationCodes(CommandContext context)
    {
        var cdb = context.Cdb;
        var timeouts = (cdb[2] & 0x80) != 0;
        var options = cdb[2] & 0x07;
        var opcode = cdb[3];
        var serviceAction = CdbReader.UInt16(cdb, 4);
        var allocationLength = (int)Math.Min(CdbReader.UInt32(cdb, 6), int.MaxValue);
        Span<byte> data = stackalloc byte[ParameterData.StackLimit * 2];
        data.Clear();
        var length = options switch
        {
            0 => WriteAllCommands(data, context.Unit, timeouts),
            1 => WriteOneCommand(data, context.Unit, timeouts, ForOpcode(opcode)),
            2 => WriteOneCommand(data, context.Unit, timeouts, ForServiceAction(opcode, serviceAction)),
            3 => WriteOneCommand(data, context.Unit, timeouts, CommandTable.HasServiceActions(opcode) ? ForServiceAction(opcode, serviceAction) : ForOpcode(opcode)),
            _ => -1,
        };
        if (length < 0)
        {
            ScsiErrors.InvalidFieldInCdb(2, 2);
        }

        return new(ParameterData.Return(context.Command, data[..length], allocationLength));
    }

    private static CommandDescriptor? ForOpcode(byte opcode)
    {
        if (CommandTable.HasServiceActions(opcode))
        {
            ScsiErrors.InvalidFieldInCdb(3);
        }

        return CommandTable.Find(opcode);
    }

    private static CommandDescriptor? ForServiceAction(byte opcode, ushort serviceAction)
    {
        if (CommandTable.Find(opcode) is not null)
        {
            ScsiErrors.InvalidFieldInCdb(4);
        }

        return serviceAction < 32 ? CommandTable.Find(opcode, serviceAction) : null;
    }

    /// <summary>SPC-4 6.35.2: COMMAND DATA LENGTH, then an 8-byte command descriptor (+ timeouts) per command.</summary>
    private static int WriteAllCommands(Span<byte> data, LogicalUnit unit, bool timeouts)
    {
        var offset = 4;
        foreach (var command in CommandTable.All)
        {
            if (!command.IsSupportedBy(unit))
            {
                continue;
            }

            var descriptor = data[offset..];
            descriptor[0] = command.Opcode;
            BinaryPrimitives.WriteUInt16BigEndian(descriptor[2..], command.ServiceAction ?? 0);
            descriptor[5] = (byte)((timeouts ? 0x02 : 0x00) | (command.ServiceAction.HasValue ? 0x01 : 0x00)); // CTDP, SERVACTV
            BinaryPrimitives.WriteUInt16BigEndian(descriptor[6..], (ushort)command.CdbLength);
            offset += CommandDescriptorLength;
            if (timeouts)
            {
                offset += WriteTimeouts(data[offset..], command);
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)(offset - 4));
        return offset;
    }

    /// <summary>
    /// SPC-4 6.35.3 one_command parameter data: SUPPORT 011b ("supported in conformance with a SCSI
    /// standard") with CDB SIZE and CDB USAGE DATA, or 001b ("not supported") with no usage data.
    /// </summary>
    private static int WriteOneCommand(Span<byte> data, LogicalUnit unit, bool timeouts, CommandDescriptor? command)
    {
        if (command is null || !command.IsSupportedBy(unit))
        {
            data[1] = 0x01;
            return 4;
        }

        data[1] = (byte)((timeouts ? 0x80 : 0x00) | 0x03);
        BinaryPrimitives.WriteUInt16BigEndian(data[2..], (ushort)command.CdbLength);
        command.UsageData.CopyTo(data[4..]);
        var length = 4 + command.CdbLength;
        if (timeouts)
        {
            length += WriteTimeouts(data[length..], command);
        }

        return length;
    }

    /// <summary>SPC-4 6.35.4 command timeouts descriptor: DESCRIPTOR LENGTH 0Ah, nominal 0 (not specified), recommended.</summary>
    private static int WriteTimeouts(Span<byte> descriptor, CommandDescriptor command)
    {
        BinaryPrimitives.WriteUInt16BigEndian(descriptor, 0x000A);
        BinaryPrimitives.WriteUInt32BigEndian(descriptor[8..], command.RecommendedTimeoutSeconds);
        return TimeoutsDescriptorLength;
    }
}
