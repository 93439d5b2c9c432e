using System.Diagnostics;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const byte SanitizeOverwrite = 0x01;
    private const byte SanitizeBlockErase = 0x02;
    private const byte SanitizeCryptographicErase = 0x03;
    private const byte SanitizeExitFailureMode = 0x1F;
    private const byte SanitizeImmediate = 0x80;
    private const byte SanitizeAllowUnrestrictedExit = 0x20;

    /// <summary>
    /// SBC-3 5.19 SANITIZE (48h), as far as a memory or file backend can honestly go:
    /// <list type="bullet">
    /// <item>OVERWRITE (01h): "If the PARAMETER LIST LENGTH field is set to a value less than 5 or greater
    /// than the logical block length plus four, then the device server shall terminate the command
    /// with ... INVALID FIELD IN CDB"; in the parameter list (5.19.2) OVERWRITE COUNT 0, TEST other than
    /// 00b, an INITIALIZATION PATTERN LENGTH of 0, above the logical block length or beyond the list
    /// are INVALID FIELD IN PARAMETER LIST. Every pass writes every block with the pattern repeated
    /// to fill it (inverted on every second pass when INVERT = 1) and is flushed before the next, at
    /// most <see cref="LogicalUnitOptions.SanitizeBytesPerSecond"/> (see <c>SanitizeOverwrite.cs</c>).</item>
    /// <item>BLOCK ERASE (02h): every block is deallocated (UNMAP of the whole unit; LBPRZ = 1, so
    /// reads return zeros: WABEREQ 01b). Only on a unit with logical block provisioning; the
    /// PARAMETER LIST LENGTH must be zero.</item>
    /// <item>CRYPTOGRAPHIC ERASE (03h): on an encrypted unit (<c>encrypted: true</c>) the key is
    /// replaced, durably, so every block written before reads back as noise (WACEREQ 01b); the
    /// PARAMETER LIST LENGTH must be zero. Elsewhere it is not in the command table, so it is INVALID
    /// FIELD IN CDB like any unknown service action.</item>
    /// <item>EXIT FAILURE MODE (1Fh), PARAMETER LIST LENGTH zero: GOOD, and after an operation that
    /// failed and was started with AUSE = 1 the unit serves its medium again. After one started with
    /// AUSE = 0 it is INVALID FIELD IN CDB, and so is a new SANITIZE with AUSE = 1: only a sanitize that
    /// completes without error ends that failure (SBC-3 5.19.1). Until then every command but INQUIRY,
    /// REPORT LUNS, REQUEST SENSE and SANITIZE ends MEDIUM ERROR, SANITIZE COMMAND FAILED.</item>
    /// </list>
    /// A write-protected unit is DATA PROTECT, WRITE PROTECTED. While the operation runs, every other
    /// command but INQUIRY, REPORT LUNS and REQUEST SENSE ends NOT READY, LOGICAL UNIT NOT READY,
    /// SANITIZE IN PROGRESS (SBC-3 4.11.1); with IMMED = 1 the command returns GOOD once the parameters
    /// are validated and the operation continues in the background. With IMMED = 0 an ABORT TASK (or any
    /// reset) ends the command, not the operation: "the sanitize operation ... continues" (SBC-3 4.11.1),
    /// so the task stops waiting and the unit stays NOT READY until the operation completes.
    /// </summary>
    public static ValueTask<ScsiResult> Sanitize(CommandContext context)
    {
        var cdb = context.Cdb;
        var unit = context.Unit;
        var serviceAction = (byte)(cdb[1] & 0x1F);
        var unrestricted = (cdb[1] & SanitizeAllowUnrestrictedExit) != 0;
        var listLength = CdbReader.UInt16(cdb, 7);
        if (serviceAction == SanitizeExitFailureMode)
        {
            if (listLength != 0)
            {
                ScsiErrors.InvalidFieldInCdb(7);
            }

            ExitFailureMode(unit);
            return new(ScsiResult.Good());
        }

        if (unrestricted && unit.SanitizeFailure == SanitizeFailure.Restricted)
        {
            // SBC-3 5.19.1: a restricted failure is left only by a sanitize that asks to stay restricted.
            ScsiErrors.InvalidFieldInCdb(1, 5);
        }

        OverwritePlan? overwrite = null;
        if (serviceAction == SanitizeOverwrite)
        {
            if (listLength < OverwritePlan.HeaderLength + 1 || listLength > unit.BlockSize + OverwritePlan.HeaderLength)
            {
                ScsiErrors.InvalidFieldInCdb(7);
            }

            var data = context.Command.DataOut.Span;
            if (data.Length < listLength)
            {
                ScsiErrors.ParameterListLengthError();
            }

            overwrite = OverwritePlan.Parse(data[..listLength], unit.BlockSize);
        }
        else if (listLength != 0)
        {
            ScsiErrors.InvalidFieldInCdb(7);
        }

        unit.CheckWritable();
        if (!unit.TryBeginSanitize())
        {
            ScsiErrors.SanitizeInProgress(unit.SanitizeProgress);
        }

        try
        {
            // Journaled before any block changes, so a stop or crash from here on resumes it.
            unit.SanitizeJournal?.Record((byte)(cdb[1] & ~SanitizeImmediate), context.Command.DataOut.Span[..listLength]);
        }
        catch
        {
            unit.EndSanitize();
            throw;
        }

        var operation = RunSanitizeAsync(context.Target, unit, serviceAction, overwrite, unrestricted);
        if ((cdb[1] & SanitizeImmediate) != 0)
        {
            return new(ScsiResult.Good(dataOutLength: listLength));
        }

        return AwaitSanitizeAsync(operation, listLength, context.CancellationToken);
    }

    /// <summary>
    /// SBC-3 4.11.1: a sanitize the unit's journal says was under way when the target stopped starts
    /// again as the unit is added; until it completes the unit is NOT READY, SANITIZE IN PROGRESS.
    /// </summary>
    /// <exception cref="InvalidDataException">The journal is damaged (the unit must not be served).</exception>
    internal static void ResumeInterruptedSanitize(ScsiTargetDevice target, LogicalUnit unit)
    {
        if (unit.SanitizeJournal is not { } journal || !journal.TryLoad(out var request, out var list))
        {
            return;
        }

        var serviceAction = (byte)(request & 0x1F);

        OverwritePlan? overwrite = null;
        try
        {
            overwrite = serviceAction == SanitizeOverwrite ? OverwritePlan.Parse(list, unit.BlockSize) : null;
        }
        catch (ScsiException e)
        {
            throw new InvalidDataException($"'{journal.Path}' holds an OVERWRITE this unit cannot run ({e.Message})", e);
        }

        if (serviceAction is not (SanitizeOverwrite or SanitizeBlockErase or SanitizeCryptographicErase)
            || (serviceAction == SanitizeCryptographicErase && !unit.SupportsCryptoErase))
        {
            throw new InvalidDataException($"'{journal.Path}' holds sanitize service action {serviceAction:X2}h, which this unit cannot run");
        }

        unit.TryBeginSanitize();
        ScsiLog.SanitizeResumed(target.Logger, target.TargetName, unit.Lun, journal.Path);
        _ = RunSanitizeAsync(target, unit, serviceAction, overwrite, unrestricted: (request & SanitizeAllowUnrestrictedExit) != 0);
    }

    /// <summary>EXIT FAILURE MODE: ends an unrestricted failure (and its journal), refuses to end a restricted one.</summary>
    private static void ExitFailureMode(LogicalUnit unit)
    {
        switch (unit.SanitizeFailure)
        {
            case SanitizeFailure.Restricted:
                ScsiErrors.InvalidFieldInCdb(1, 4);
                break;
            case SanitizeFailure.Unrestricted:
                unit.SanitizeJournal?.Clear();
                unit.SanitizeFailure = SanitizeFailure.None;
                break;
        }
    }

    private static async ValueTask<ScsiResult> AwaitSanitizeAsync(Task<bool> operation, int listLength, CancellationToken cancellationToken)
    {
        // An abort ends the wait (OperationCanceledException: the task ends without status), never the operation.
        if (!await operation.WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            ScsiErrors.WriteErrorDuringSanitize();
        }

        return ScsiResult.Good(dataOutLength: listLength);
    }

    /// <summary>
    /// The operation itself, excluding every writer (the atomic gate waits for writes in flight; new
    /// commands already see SANITIZE IN PROGRESS). Not cancellable: SBC-3 lets no task management
    /// function stop a sanitize. False when the device failed (logged).
    /// </summary>
    private static async Task<bool> RunSanitizeAsync(ScsiTargetDevice target, LogicalUnit unit, byte serviceAction, OverwritePlan? overwrite, bool unrestricted)
    {
        var kind = serviceAction switch
        {
            SanitizeOverwrite => "overwrite",
            SanitizeBlockErase => "block erase",
            _ => "cryptographic erase",
        };
        await Task.Yield();
        await unit.WriteGate.EnterAtomicAsync(CancellationToken.None).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        ScsiLog.SanitizeStarted(target.Logger, target.TargetName, unit.Lun, kind);
        try
        {
            if (overwrite is not null)
            {
                await overwrite.RunAsync(unit).ConfigureAwait(false);
            }
            else if (serviceAction == SanitizeCryptographicErase)
            {
                await ((Storage.Encryption.ICryptoErasable)unit.Device).CryptoEraseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await unit.Device.UnmapAsync(0, unit.BlockCount, CancellationToken.None).ConfigureAwait(false);
            }

            await unit.Device.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            // Only a completed operation leaves the journal: one the device failed (MEDIUM ERROR,
            // SANITIZE COMMAND FAILED to its command) is run again at the next start.
            unit.SanitizeJournal?.Clear();
            unit.SanitizeFailure = SanitizeFailure.None;
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            ScsiLog.SanitizeCompleted(target.Logger, target.TargetName, unit.Lun, kind, seconds);
            return true;
        }
        catch (Exception e)
        {
            ScsiLog.CommandFailed(target.Logger, target.TargetName, unit.Lun, "SANITIZE", e);
            unit.SanitizeFailure = unrestricted ? SanitizeFailure.Unrestricted : SanitizeFailure.Restricted;
            return false;
        }
        finally
        {
            unit.WriteGate.ExitAtomic();
            unit.EndSanitize();
        }
    }
}
