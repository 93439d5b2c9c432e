namespace Storlane.Scsi;

/// <summary>
/// One supported command: how to recognise it, which CDB bits it uses, and who runs it. The same
/// entry drives dispatch, reserved-bit checking and REPORT SUPPORTED OPERATION CODES.
/// </summary>
internal sealed class CommandDescriptor
{
    public required string Name { get; init; }

    public required byte Opcode { get; init; }

    /// <summary>The SERVICE ACTION (CDB byte 1 bits 4..0) for opcodes that have them (9Eh, A3h).</summary>
    public byte? ServiceAction { get; init; }

    /// <summary>
    /// CDB USAGE DATA (SPC-4 6.35.3): byte 0 is the opcode, the service action field holds the service
    /// action, and every other bit is one when the device server uses it. A CDB that sets a bit outside
    /// this mask is rejected with INVALID FIELD IN CDB, so the report and the checks cannot disagree.
    /// </summary>
    public required byte[] UsageData { get; init; }

    public required CommandHandler Handler { get; init; }

    /// <summary>Null: every logical unit supports it. Otherwise units it returns false for answer INVALID COMMAND OPERATION CODE.</summary>
    public Func<LogicalUnit, bool>? SupportedBy { get; init; }

    /// <summary>Handled even when the LUN has no logical unit (REPORT LUNS, INQUIRY, REQUEST SENSE).</summary>
    public bool AnswersWithoutLogicalUnit { get; init; }

    public DeviceErrorKind DeviceErrors { get; init; }

    /// <summary>
    /// The command accesses the medium: on a removable unit whose medium is unloaded it ends with NOT
    /// READY, MEDIUM NOT PRESENT (SPC-4 4.5.6, SBC-3 4.x) before it runs.
    /// </summary>
    public bool NeedsMedium { get; init; }

    /// <summary>How the command meets a reservation held through another I_T nexus (SPC-4 5.12, SBC-3 4.17).</summary>
    public required ReservationAccess Access { get; init; }

    /// <summary>In which ALUA states of the target port group the command runs (SPC-4 5.16.2.4).</summary>
    public AluaAccess Alua { get; init; }

    /// <summary>RECOMMENDED COMMAND TIMEOUT of the command timeouts descriptor (SPC-4 6.35.4), seconds.</summary>
    public uint RecommendedTimeoutSeconds { get; init; } = 30;

    public int CdbLength => UsageData.Length;

    public bool IsSupportedBy(LogicalUnit? unit) => unit is null ? AnswersWithoutLogicalUnit : SupportedBy?.Invoke(unit) ?? true;

    /// <summary>
    /// SPC-4 4.5.2.4.2 / SAM-5 5.2: reserved or unsupported bits set end the command with ILLEGAL
    /// REQUEST, INVALID FIELD IN CDB, pointing at the first offending byte and its highest bad bit.
    /// </summary>
    public void CheckCdb(ReadOnlySpan<byte> cdb)
    {
        if (cdb.Length < CdbLength)
        {
            ScsiErrors.InvalidFieldInCdb(0);
        }

        var mask = UsageData;
        for (var i = 1; i < mask.Length; i++)
        {
            // The service action bits were matched by the lookup already.
            var allowed = i == 1 && ServiceAction.HasValue ? mask[1] | 0x1F : mask[i];
            var extra = cdb[i] & ~allowed;
            if (extra != 0)
            {
                ScsiErrors.InvalidFieldInCdb(i, CdbReader.HighestBit(extra));
            }
        }
    }
}
