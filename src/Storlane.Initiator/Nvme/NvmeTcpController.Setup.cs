using System.Buffers;
using System.Buffers.Binary;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>Bringing an association up, and the Keep Alive and Asynchronous Event loops that keep it.</summary>
public sealed partial class NvmeTcpController
{
    /// <summary>CC: EN (bit 0), CSS 000b NVM (6:4), MPS 0 = 4 KiB (10:7), IOSQES 6 (19:16), IOCQES 4 (23:20) (base 2.0, 3.1.3.5).</summary>
    private const uint EnabledConfiguration = 1u | (6u << 16) | (4u << 20);

    /// <summary>CSTS.CFS (bit 1): controller fatal status.</summary>
    private const uint StatusFatal = 1u << 1;

    /// <summary>Asynchronous Event Configuration bit 11: ANA change notices (base 2.0, figure 317 / 5.27.1.7).</summary>
    private const uint AnaChangeNotices = 1u << 11;

    private async Task InitializeAsync(string host, int port, CancellationToken cancellationToken)
    {
        _ = WatchAsync(_admin);
        ControllerId = await FabricsConnectAsync(_admin, 0, AdminQueueEntries, 0xFFFF, 0, cancellationToken).ConfigureAwait(false);

        var cap = await PropertyGetAsync(ControllerProperties.Cap, cancellationToken).ConfigureAwait(false);
        var maxEntries = (int)(cap & 0xFFFF) + 1;
        var readyTimeout = TimeSpan.FromMilliseconds(Math.Max(500, ((cap >> 24) & 0xFF) * 500));
        await PropertySetAsync(ControllerProperties.Configuration, EnabledConfiguration, cancellationToken).ConfigureAwait(false);
        await WaitForReadyAsync(readyTimeout, cancellationToken).ConfigureAwait(false);

        await IdentifyControllerAsync(cancellationToken).ConfigureAwait(false);
        var granted = await SetNumberOfQueuesAsync(Math.Clamp(_options.IoQueues, 1, 64), cancellationToken).ConfigureAwait(false);
        if (ReportsAna || ReportsNamespaceChanges)
        {
            var notices = (ReportsAna ? AnaChangeNotices : 0) | (ReportsNamespaceChanges ? AsyncEvents.NamespaceAttributeNotices : 0);
            await SetFeatureAsync(FeatureId.AsyncEventConfiguration, notices, cancellationToken).ConfigureAwait(false);
            await RefreshAnaAsync(cancellationToken).ConfigureAwait(false);
            _asyncEvents = Task.Run(AsyncEventLoopAsync, CancellationToken.None);
        }

        QueueEntries = Math.Clamp(_options.QueueDepth, 2, maxEntries);
        var queues = new NvmeTcpQueuePair[granted];
        try
        {
            for (var i = 0; i < granted; i++)
            {
                var queue = await NvmeTcpQueuePair.OpenAsync(host, port, (ushort)(i + 1), QueueEntries, _options, cancellationToken).ConfigureAwait(false);
                queues[i] = queue;
                _ = WatchAsync(queue);
                await ConnectIoQueueAsync(queue, (ushort)(i + 1), cancellationToken).ConfigureAwait(false);
                queue.InCapsuleDataLimit = InCapsuleDataBytes;
            }
        }
        catch
        {
            foreach (var queue in queues)
            {
                queue?.Drop("the association did not come up");
            }

            throw;
        }

        _io = queues;
        if (_options.KeepAliveTimeout > TimeSpan.Zero)
        {
            _keepAlive = Task.Run(KeepAliveLoopAsync, CancellationToken.None);
        }
    }

    /// <summary>
    /// Connect (Fabrics 1.1, 3.3.1, figures 19-20): RECFMT 0 at 40, QID at 42, SQSIZE (0's based) at
    /// 44, KATO (ms, admin queue only) at 48; 1024 bytes of in-capsule data with HOSTID at 0, CNTLID
    /// at 16 (FFFFh: any, dynamic model), SUBNQN at 256, HOSTNQN at 512. DW0 of the answer is the CNTLID.
    /// </summary>
    /// <summary>
    /// Connects an I/O queue asking that SQ flow control be disabled (CATTR bit 2, Fabrics 1.1
    /// figure 20): the host counts its own credits, so SQHD tells it nothing, and the controller may
    /// then complete a read with its last C2HData's SUCCESS flag instead of a CapsuleResp (TCP 1.0,
    /// 3.6.2.8). A controller that refuses it gets a plain Connect.
    /// </summary>
    private async Task ConnectIoQueueAsync(NvmeTcpQueuePair queue, ushort queueId, CancellationToken cancellationToken)
    {
        if (SqFlowControlDisabled ?? true)
        {
            try
            {
                await FabricsConnectAsync(queue, queueId, QueueEntries, ControllerId, DisableSqFlowControl, cancellationToken).ConfigureAwait(false);
                SqFlowControlDisabled = true;
                return;
            }
            catch (NvmeConnectException e) when (e.Status != NvmeStatus.ConnectInvalidHost && SqFlowControlDisabled is null)
            {
                SqFlowControlDisabled = false;
            }
        }

        await FabricsConnectAsync(queue, queueId, QueueEntries, ControllerId, 0, cancellationToken).ConfigureAwait(false);
    }

    private const byte DisableSqFlowControl = 0b100;

    private async Task<ushort> FabricsConnectAsync(NvmeTcpQueuePair queue, ushort queueId, int entries, ushort controllerId, byte attributes, CancellationToken cancellationToken)
    {
        var command = NvmeCommand.Fabrics(FabricsCommandType.Connect);
        command.SetUInt16(42, queueId);
        command.SetUInt16(44, (ushort)(entries - 1));
        command.SetUInt16(46, attributes);
        if (queueId == 0)
        {
            command.SetDword(12, (uint)Math.Min(_options.KeepAliveTimeout.TotalMilliseconds, uint.MaxValue));
        }

        var data = new byte[ConnectDataLength];
        _options.HostId.TryWriteBytes(data.AsSpan(0, 16));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(16), controllerId);
        WriteNqn(data.AsSpan(256, 256), SubsystemNqn);
        WriteNqn(data.AsSpan(512, 256), _options.HostNqn);
        var completion = await queue.SubmitAsync(command, default, data, _options.ConnectTimeout, null, cancellationToken).ConfigureAwait(false);
        if (!completion.Status.IsSuccess)
        {
            var detail = completion.Status == NvmeStatus.ConnectInvalidParameters
                ? $" (invalid {((completion.Dword0 & (1u << 16)) != 0 ? "data" : "command")} field at byte {completion.Dword0 & 0xFFFF})"
                : completion.Status == NvmeStatus.ConnectInvalidHost ? $" (host {_options.HostNqn} is not allowed)" : "";
            throw new NvmeConnectException(completion.Status, completion.Dword0, $"{queue.Name}: Connect of queue {queueId} to {SubsystemNqn} refused: {completion.Status}{detail}");
        }

        return (ushort)completion.Dword0;
    }

    /// <summary>Property Get (Fabrics 1.1, 3.3.2): ATTRIB at 40 (1: 8 bytes), OFST at 44; the value in DW0-DW1.</summary>
    private async Task<ulong> PropertyGetAsync(uint offset, CancellationToken cancellationToken)
    {
        var command = NvmeCommand.Fabrics(FabricsCommandType.PropertyGet);
        command.SetDword(10, ControllerProperties.SizeOf(offset) == 8 ? 1u : 0u);
        command.SetDword(11, offset);
        var completion = await RunAdminAsync(command, default, default, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return completion.Dword0 | ((ulong)completion.Dword1 << 32);
    }

    /// <summary>Property Set (Fabrics 1.1, 3.3.3): ATTRIB at 40, OFST at 44, VALUE at 48.</summary>
    private Task PropertySetAsync(uint offset, uint value, CancellationToken cancellationToken)
    {
        var command = NvmeCommand.Fabrics(FabricsCommandType.PropertySet);
        command.SetDword(11, offset);
        command.SetDword(12, value);
        return RunAdminAsync(command, default, default, _options.ConnectTimeout, cancellationToken);
    }

    /// <summary>"The host ... waits for CSTS.RDY to be set to 1" within CAP.TO (base 2.0, 3.5.1 step 8).</summary>
    private async Task WaitForReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = (uint)await PropertyGetAsync(ControllerProperties.Status, cancellationToken).ConfigureAwait(false);
            if ((status & StatusFatal) != 0)
            {
                throw new NvmeTransportException($"{Name}: the controller reports a fatal status (CSTS.CFS) while enabling");
            }

            if ((status & ControllerProperties.StatusReady) != 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new NvmeTransportException($"{Name}: CSTS.RDY did not come within {timeout.TotalSeconds:0.###} s (CAP.TO) of CC.EN");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Identify Controller (base 2.0, figure 275): SN 4, MN 24, CMIC 76, MDTS 77, CNTLID 78, ONCS 520,
    /// VWC 525, and the Fabrics IOCCSZ at 1792 (16-byte units, SQE included).
    /// </summary>
    private async Task IdentifyControllerAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var command = NvmeCommand.Admin(AdminOpcode.Identify);
            command.SetDword(10, 0x01);
            await RunAdminAsync(command, buffer.AsMemory(0, 4096), default, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            var data = buffer.AsSpan(0, 4096);
            Serial = ReadText(data.Slice(4, 20));
            Model = ReadText(data.Slice(24, 40));
            ReportsAna = (data[76] & 0b1000) != 0;
            ReportsNamespaceChanges = (ReadUInt32(data, 92) & AsyncEvents.NamespaceAttributeNotices) != 0;
            var mdts = data[77];
            var limit = mdts == 0 || mdts > 18 ? int.MaxValue : 4096 << mdts;
            MaxTransferBytes = Math.Max(4096, Math.Min(limit, _options.MaxTransferBytes));
            var oncs = BinaryPrimitives.ReadUInt16LittleEndian(data[520..]);
            SupportsDeallocate = (oncs & (1 << 2)) != 0;
            SupportsWriteZeroes = (oncs & (1 << 3)) != 0;
            VolatileWriteCache = (data[525] & 1) != 0;
            var capsule = (long)ReadUInt32(data, 1792) * 16;
            InCapsuleDataBytes = (int)Math.Clamp(capsule - SubmissionEntry.Length, 0, 1 << 20);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Set Features Number of Queues (FID 07h): NSQR and NCQR 0's based in CDW11; DW0 says what was granted.</summary>
    private async Task<int> SetNumberOfQueuesAsync(int wanted, CancellationToken cancellationToken)
    {
        var value = (uint)(wanted - 1) | ((uint)(wanted - 1) << 16);
        var completion = await SetFeatureAsync(FeatureId.NumberOfQueues, value, cancellationToken).ConfigureAwait(false);
        var granted = (int)Math.Min(completion.Dword0 & 0xFFFF, completion.Dword0 >> 16) + 1;
        return Math.Min(granted, wanted);
    }

    private Task<CompletionEntry> SetFeatureAsync(FeatureId feature, uint value, CancellationToken cancellationToken)
    {
        var command = NvmeCommand.Admin(AdminOpcode.SetFeatures);
        command.SetDword(10, (uint)feature);
        command.SetDword(11, value);
        return RunAdminAsync(command, default, default, _options.ConnectTimeout, cancellationToken);
    }

    /// <summary>Keep Alive every KATO/2 (base 2.0, 3.9.4.1: "the host should send Keep Alive ... at half the KATO").</summary>
    private async Task KeepAliveLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.KeepAliveTimeout / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                await KeepAliveAsync(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The association ended.
        }
        catch (Exception ex) when (ex is NvmeTransportException or NvmeCommandException)
        {
            Fail(ex as NvmeTransportException ?? new NvmeTransportException($"{Name}: Keep Alive failed: {ex.Message}", ex));
        }
    }

    /// <summary>
    /// One Asynchronous Event Request held at the controller (base 2.0, 5.2). A Notice (type 2h) of
    /// ANA change (information 03h) re-reads the ANA log (which also re-arms the event) and tells
    /// <see cref="AnaChanged"/>; one of Namespace Attribute Changed (00h) reads the Changed Namespace
    /// List (re-arming it) and tells <see cref="NamespacesChanged"/>; then a new request is posted.
    /// </summary>
    private async Task AsyncEventLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            CompletionEntry completion;
            try
            {
                completion = await _admin.SubmitAsync(NvmeCommand.Admin(AdminOpcode.AsyncEventRequest), default, default, Timeout.InfiniteTimeSpan, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (NvmeTransportException)
            {
                return;
            }

            if (!completion.Status.IsSuccess)
            {
                return;
            }

            var type = completion.Dword0 & 0x7;
            var information = (completion.Dword0 >> 8) & 0xFF;
            if (type == 0x2 && information == 0x03)
            {
                try
                {
                    await RefreshAnaAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NvmeTransportException or NvmeCommandException or OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }

                AnaChanged?.Invoke();
            }
            else if (type == AsyncEvents.NoticeType && information == AsyncEvents.NamespaceAttributeChanged && !await ReportNamespaceChangesAsync().ConfigureAwait(false))
            {
                return;
            }
        }
    }
}
