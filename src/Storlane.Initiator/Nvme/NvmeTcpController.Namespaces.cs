using System.Buffers;
using System.Buffers.Binary;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>Namespaces the controller says were added, removed or changed (a LUN added, removed or grown on the target).</summary>
public sealed partial class NvmeTcpController
{
    /// <summary>OAES bit 8: the controller sends Namespace Attribute Changed notices.</summary>
    public bool ReportsNamespaceChanges { get; private set; }

    /// <summary>
    /// A Namespace Attribute Changed notice came: the NSIDs its Changed Namespace List named
    /// (a single FFFFFFFFh when more than 1024 changed: rescan every namespace).
    /// </summary>
    public event Action<IReadOnlyList<uint>>? NamespacesChanged;

    /// <summary>
    /// Get Log Page Changed Namespace List (LID 04h, base 2.0 5.16.1.5) with RAE cleared, which lets the
    /// controller report the next change: the NSIDs listed, ascending.
    /// </summary>
    public async Task<IReadOnlyList<uint>> ReadChangedNamespacesAsync(CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChangedNamespaceList.Length);
        try
        {
            var command = NvmeCommand.Admin(AdminOpcode.GetLogPage, 0xFFFF_FFFF);
            command.SetDword(10, (uint)LogPageId.ChangedNamespaces | ((uint)((ChangedNamespaceList.Length / 4) - 1) << 16));
            await RunAdminAsync(command, buffer.AsMemory(0, ChangedNamespaceList.Length), default, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            var nsids = new List<uint>();
            for (var at = 0; at < ChangedNamespaceList.Length; at += 4)
            {
                var nsid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
                if (nsid == 0)
                {
                    break;
                }

                nsids.Add(nsid);
            }

            return nsids;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the list and tells <see cref="NamespacesChanged"/>; false when the association ended meanwhile.</summary>
    private async Task<bool> ReportNamespaceChangesAsync()
    {
        IReadOnlyList<uint> changed;
        try
        {
            changed = await ReadChangedNamespacesAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NvmeTransportException or NvmeCommandException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }

        NamespacesChanged?.Invoke(changed);
        return true;
    }
}
