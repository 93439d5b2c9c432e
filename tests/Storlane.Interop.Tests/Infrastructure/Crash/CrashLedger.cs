namespace Storlane.Interop.Tests.Infrastructure.Crash;

/// <summary>
/// What the writers know about every block of the LUN between two kills. A block's durable
/// generation is the newest write to it that was acknowledged with FUA (SBC-3 5.40: the write is
/// on the medium before GOOD), or acknowledged before a SYNCHRONIZE CACHE that then completed
/// (SBC-3 5.26: the cache is written for every block acknowledged before it). After a kill the
/// block must hold that generation or a newer one that was at least sent: nothing older, nothing
/// torn, nothing unknown. Each block is written by one writer, one command at a time, so
/// generations of one block rise in the order they were sent and "newer" is exact.
/// </summary>
internal sealed class CrashLedger
{
    private readonly object _gate = new();
    private readonly long[] _durable;
    private readonly List<long>?[] _attemptedSinceCheck;
    private readonly List<PendingWrite> _acknowledgedUnflushed = [];
    private readonly HashSet<long> _unmapGenerations = [];
    private long _nextGeneration;
    private long _acknowledgeSequence;

    public CrashLedger(long blocks)
    {
        _durable = new long[blocks];
        _attemptedSinceCheck = new List<long>?[blocks];
    }

    public long Blocks => _durable.Length;

    /// <summary>UNMAPs sent, over the run (each also counts as a write: it is one, of zeros).</summary>
    public long AttemptedUnmaps { get; private set; }

    /// <summary>Writes acknowledged with FUA, over the run.</summary>
    public long FuaWrites { get; private set; }

    /// <summary>Writes acknowledged without FUA and then covered by a completed SYNCHRONIZE CACHE, over the run.</summary>
    public long FlushedWrites { get; private set; }

    /// <summary>SYNCHRONIZE CACHE commands that completed, over the run.</summary>
    public long Flushes { get; private set; }

    /// <summary>Writes sent, over the run (acknowledged or not).</summary>
    public long AttemptedWrites { get; private set; }

    /// <summary>A new generation for a write of <paramref name="count"/> blocks at <paramref name="lba"/>, recorded before it is sent.</summary>
    public long Attempt(long lba, int count)
    {
        lock (_gate)
        {
            var generation = ++_nextGeneration;
            AttemptedWrites++;
            for (var block = lba; block < lba + count; block++)
            {
                (_attemptedSinceCheck[block] ??= []).Add(generation);
            }

            return generation;
        }
    }

    /// <summary>
    /// An UNMAP is a write of zeros here (both devices report LBPRZ: SBC-3 5.16, unmapped blocks
    /// read as zeros); it has no FUA bit, so it is durable once a SYNCHRONIZE CACHE covers it.
    /// </summary>
    public long AttemptUnmap(long lba, int count)
    {
        lock (_gate)
        {
            var generation = Attempt(lba, count);
            AttemptedUnmaps++;
            _unmapGenerations.Add(generation);
            return generation;
        }
    }

    public void Acknowledged(long lba, int count, long generation, bool forceUnitAccess)
    {
        lock (_gate)
        {
            if (forceUnitAccess)
            {
                FuaWrites++;
                MarkDurable(lba, count, generation);
            }
            else
            {
                _acknowledgedUnflushed.Add(new PendingWrite(lba, count, generation, ++_acknowledgeSequence));
            }
        }
    }

    /// <summary>Taken just before a SYNCHRONIZE CACHE is sent: the writes it must cover are those acknowledged so far.</summary>
    public long FlushTicket()
    {
        lock (_gate)
        {
            return _acknowledgeSequence;
        }
    }

    public void FlushCompleted(long ticket)
    {
        lock (_gate)
        {
            Flushes++;
            var covered = 0;
            while (covered < _acknowledgedUnflushed.Count && _acknowledgedUnflushed[covered].Sequence <= ticket)
            {
                var write = _acknowledgedUnflushed[covered++];
                FlushedWrites++;
                MarkDurable(write.Lba, write.Count, write.Generation);
            }

            _acknowledgedUnflushed.RemoveRange(0, covered);
        }
    }

    /// <summary>Null when <paramref name="observed"/> is a legal content for <paramref name="lba"/> after a crash, else why not.</summary>
    public string? Check(long lba, long observed)
    {
        lock (_gate)
        {
            var durable = _durable[lba];
            var attempted = _attemptedSinceCheck[lba];
            if (observed == CrashPattern.NeverWritten)
            {
                // Zeros: the durable content is zeros, or an UNMAP sent since may have landed.
                if (durable == CrashPattern.NeverWritten || _unmapGenerations.Contains(durable)
                    || (attempted is not null && attempted.Exists(g => g > durable && _unmapGenerations.Contains(g))))
                {
                    return null;
                }
            }
            else if (observed == durable || (observed > durable && attempted is not null && attempted.Contains(observed)))
            {
                return null;
            }

            var what = observed == CrashPattern.Unknown ? "torn or unknown content"
                : observed == CrashPattern.NeverWritten ? "zeros (never written)"
                : observed < durable ? $"older generation {observed}"
                : _unmapGenerations.Contains(observed) ? $"generation {observed}"
                : $"generation {observed}, never sent to this block";
            var durableWhat = _unmapGenerations.Contains(durable) ? $"UNMAP generation {durable} (zeros)" : $"generation {durable}";
            return $"LBA {lba}: acknowledged-and-flushed {durableWhat} expected (or a newer attempt: {(attempted is null ? "none" : string.Join(",", attempted))}), found {what}";
        }
    }

    /// <summary>After a check the content read back is the new baseline: the restarted target holds it.</summary>
    public void Rebase(long lba, long observed)
    {
        lock (_gate)
        {
            _durable[lba] = observed;
            _attemptedSinceCheck[lba] = null;
        }
    }

    /// <summary>Forgets acknowledged writes no flush covered (after the kill, they are settled by the check).</summary>
    public void EndRound()
    {
        lock (_gate)
        {
            _acknowledgedUnflushed.Clear();
        }
    }

    /// <summary>Blocks whose durable generation is a write (not the never-written zeros).</summary>
    public long DurableWrittenBlocks()
    {
        lock (_gate)
        {
            var count = 0L;
            foreach (var generation in _durable)
            {
                count += generation > 0 ? 1 : 0;
            }

            return count;
        }
    }

    private void MarkDurable(long lba, int count, long generation)
    {
        for (var block = lba; block < lba + count; block++)
        {
            _durable[block] = Math.Max(_durable[block], generation);
        }
    }

    private readonly record struct PendingWrite(long Lba, int Count, long Generation, long Sequence);
}
