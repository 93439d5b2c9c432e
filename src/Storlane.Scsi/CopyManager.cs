using System.Collections.Concurrent;

namespace Storlane.Scsi;

/// <summary>
/// The copy manager state of one logical unit (SPC-4 5.16): the results EXTENDED COPY (LID1) holds
/// for RECEIVE COPY RESULTS, per I_T nexus and LIST IDENTIFIER, when LIST ID USAGE is 00b. Results of
/// a nexus go when the nexus goes; at most <see cref="MaxHeldPerNexus"/> lists are kept per nexus.
/// </summary>
internal sealed class CopyManager
{
    /// <summary>MAXIMUM TARGET DESCRIPTOR COUNT (RECEIVE COPY RESULTS operating parameters).</summary>
    public const int MaxTargetDescriptors = 8;

    /// <summary>MAXIMUM SEGMENT DESCRIPTOR COUNT.</summary>
    public const int MaxSegmentDescriptors = 64;

    /// <summary>MAXIMUM DESCRIPTOR LIST LENGTH: room for the most target and segment descriptors.</summary>
    public const int MaxDescriptorListLength = (MaxTargetDescriptors * 32) + (MaxSegmentDescriptors * 28);

    /// <summary>MAXIMUM SEGMENT LENGTH in bytes: what 65535 blocks of 4 KiB hold.</summary>
    public const uint MaxSegmentBytes = 65535u * 4096;

    private const int MaxHeldPerNexus = 16;

    private readonly ConcurrentDictionary<(long Nexus, byte ListId), CopyStatus> _held = new();

    public void Hold(long nexusId, byte listId, CopyStatus status)
    {
        _held[(nexusId, listId)] = status;
        var count = 0;
        foreach (var key in _held.Keys)
        {
            if (key.Nexus == nexusId && ++count > MaxHeldPerNexus && key.ListId != listId)
            {
                _held.TryRemove(key, out _);
            }
        }
    }

    public bool TryGet(long nexusId, byte listId, out CopyStatus status) => _held.TryGetValue((nexusId, listId), out status);

    public void Forget(long nexusId)
    {
        foreach (var key in _held.Keys)
        {
            if (key.Nexus == nexusId)
            {
                _held.TryRemove(key, out _);
            }
        }
    }
}

/// <summary>What COPY STATUS reports for one held list (SPC-4 6.18.2).</summary>
internal readonly record struct CopyStatus(bool Succeeded, ushort SegmentsProcessed, ulong BytesTransferred);
