namespace Storlane.Nvme.Target;

/// <summary>
/// The notices that follow live changes: Namespace Attribute Changed (a LUN added, removed, grown or
/// write-protected while serving) with this controller's Changed Namespace List, and Discovery Log Page
/// Change (a portal added or removed live) on discovery controllers.
/// <para>
/// "When the controller reports an event ... it shall not report further events of that type until the
/// host clears it by reading the log page with Retain Asynchronous Event cleared" (base 2.0, 5.2 and
/// 5.16: RAE). A notice that comes while no AER is held is kept and reported on the next one; a notice
/// the host did not enable (Set Features 0Bh) is not reported.
/// </para>
/// </summary>
internal sealed partial class NvmeController
{
    private readonly SortedSet<uint> _changedNamespaces = [];
    private bool _changedNamespacesOverflowed;
    private NoticeState _namespaceNotice;
    private NoticeState _discoveryNotice;

    private enum NoticeState : byte
    {
        /// <summary>Nothing to report: the next event is reported.</summary>
        Clear,

        /// <summary>An event came while no AER was held: the next AER reports it.</summary>
        Pending,

        /// <summary>Reported through an AER: masked until the host reads its log page with RAE cleared.</summary>
        Reported,
    }

    /// <summary>
    /// A namespace attached to this controller was added, removed, or its Identify Namespace data changed:
    /// it joins the Changed Namespace List and the host gets a Namespace Attribute Changed notice.
    /// </summary>
    public void NamespaceChanged(uint nsid)
    {
        lock (_lock)
        {
            if (_changedNamespaces.Count >= ChangedNamespaceList.MaxEntries && !_changedNamespaces.Contains(nsid))
            {
                _changedNamespacesOverflowed = true;
            }
            else
            {
                _changedNamespaces.Add(nsid);
            }
        }

        Raise(ref _namespaceNotice, AsyncEvents.NamespaceAttributeNotices, AsyncEvents.Notice(AsyncEvents.NamespaceAttributeChanged, LogPageId.ChangedNamespaces));
    }

    /// <summary>The Discovery Log Page changed (portals came or went): a Discovery Log Page Change notice.</summary>
    public void DiscoveryLogChanged() =>
        Raise(ref _discoveryNotice, AsyncEvents.DiscoveryLogChangeNotices, AsyncEvents.Notice(AsyncEvents.DiscoveryLogChange, LogPageId.Discovery));

    /// <summary>
    /// Get Log Page 04h: the list since the last read, which it empties (as Linux nvmet does: a read is
    /// what "since the page was last read" counts from); with RAE cleared the notice is armed again.
    /// </summary>
    public void TakeChangedNamespaces(Span<byte> page, bool retainEvent)
    {
        lock (_lock)
        {
            Span<uint> nsids = stackalloc uint[Math.Min(_changedNamespaces.Count, ChangedNamespaceList.MaxEntries)];
            var i = 0;
            foreach (var nsid in _changedNamespaces)
            {
                nsids[i++] = nsid;
            }

            ChangedNamespaceList.Write(page, nsids, _changedNamespacesOverflowed);
            _changedNamespaces.Clear();
            _changedNamespacesOverflowed = false;
            if (!retainEvent && _namespaceNotice == NoticeState.Reported)
            {
                _namespaceNotice = NoticeState.Clear;
            }
        }
    }

    /// <summary>Get Log Page 70h with RAE cleared: the next Discovery Log Page change is reported again.</summary>
    public void DiscoveryLogRead(bool retainEvent)
    {
        lock (_lock)
        {
            if (!retainEvent && _discoveryNotice == NoticeState.Reported)
            {
                _discoveryNotice = NoticeState.Clear;
            }
        }
    }

    /// <summary>Reports the notices that waited for an AER; called once an AER is held.</summary>
    private void DeliverPendingNotices()
    {
        Deliver(ref _namespaceNotice, AsyncEvents.NamespaceAttributeNotices, AsyncEvents.Notice(AsyncEvents.NamespaceAttributeChanged, LogPageId.ChangedNamespaces));
        Deliver(ref _discoveryNotice, AsyncEvents.DiscoveryLogChangeNotices, AsyncEvents.Notice(AsyncEvents.DiscoveryLogChange, LogPageId.Discovery));
    }

    private void Raise(ref NoticeState state, uint enableBit, uint dword0)
    {
        (NvmeTcpQueue Queue, ushort CommandId) held;
        lock (_lock)
        {
            if (state != NoticeState.Clear || (AsyncEventConfiguration & enableBit) == 0 || IsRemoved)
            {
                return;
            }

            if (!_asyncEvents.TryDequeue(out held))
            {
                state = NoticeState.Pending;
                return;
            }

            state = NoticeState.Reported;
        }

        held.Queue.CompleteHeld(held.CommandId, dword0);
    }

    private void Deliver(ref NoticeState state, uint enableBit, uint dword0)
    {
        (NvmeTcpQueue Queue, ushort CommandId) held;
        lock (_lock)
        {
            if (state != NoticeState.Pending || (AsyncEventConfiguration & enableBit) == 0 || !_asyncEvents.TryDequeue(out held))
            {
                return;
            }

            state = NoticeState.Reported;
        }

        held.Queue.CompleteHeld(held.CommandId, dword0);
    }
}
