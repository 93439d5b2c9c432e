using System.Buffers;

namespace Storlane.Nvme.Target;

/// <summary>Admin commands (NVMe base 2.0, 5): Identify, Get Log Page, Get/Set Features, AER, Keep Alive, Abort.</summary>
internal sealed partial class NvmeTcpQueue
{
    private ValueTask<CommandResult> ExecuteAdminAsync(NvmeController controller, SubmissionEntry sqe)
    {
        // Only a Connect and properties reach a controller that is not enabled (base 2.0, 3.5.1).
        if (!controller.IsReady && sqe.Opcode != (byte)AdminOpcode.KeepAlive)
        {
            return ValueTask.FromResult<CommandResult>(NvmeStatus.CommandSequenceError);
        }

        var result = (AdminOpcode)sqe.Opcode switch
        {
            AdminOpcode.Identify => Identify(controller, sqe),
            AdminOpcode.GetLogPage => GetLogPage(controller, sqe),
            AdminOpcode.SetFeatures => controller.Subsystem.IsDiscovery ? SetDiscoveryFeatures(controller, sqe) : SetFeatures(controller, sqe),
            AdminOpcode.GetFeatures => GetFeatures(controller, sqe),
            AdminOpcode.AsyncEventRequest => AsyncEventRequest(controller, sqe),
            AdminOpcode.KeepAlive => KeepAlive(controller),
            AdminOpcode.Abort => Abort(controller, sqe),
            _ => NvmeStatus.InvalidOpcode,
        };
        return ValueTask.FromResult(result);
    }

    private static CommandResult KeepAlive(NvmeController controller)
    {
        controller.KeepAlive();
        return CommandResult.Ok;
    }

    private CommandResult AsyncEventRequest(NvmeController controller, in SubmissionEntry sqe)
    {
        if (!controller.TryHoldAsyncEvent(this, sqe.CommandId))
        {
            return NvmeStatus.AsyncEventRequestLimitExceeded;
        }

        // A reservation notice that found no AER held is reported through this one.
        controller.ReportReservationNotice();
        return new CommandResult(NvmeStatus.Success, Held: true);
    }

    /// <summary>Identify (base 2.0, 5.17): CNS at CDW10 7:0, CSI at CDW11 31:24.</summary>
    private CommandResult Identify(NvmeController controller, in SubmissionEntry sqe)
    {
        if (sqe.SglIdentifier != SubmissionEntry.SglTransport || sqe.SglLength < IdentifyControllerData.Length)
        {
            return sqe.SglIdentifier != SubmissionEntry.SglTransport ? NvmeStatus.SglDescriptorTypeInvalid : NvmeStatus.DataSglLengthInvalid;
        }

        var cns = (byte)sqe.Cdw10;
        var csi = (byte)(sqe.Cdw11 >> 24);
        var subsystem = controller.Subsystem;
        if (subsystem.IsDiscovery && cns != 0x01)
        {
            return NvmeStatus.InvalidField;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(IdentifyControllerData.Length);
        var data = buffer.AsSpan(0, IdentifyControllerData.Length);
        NvmeStatus status = NvmeStatus.Success;
        switch (cns)
        {
            case 0x01:
                IdentifyControllerData.Write(data, Identity(controller));
                break;
            case 0x00 or 0x03 or 0x05:
                if (subsystem.FindNamespace(sqe.NamespaceId) is not { } ns)
                {
                    status = NvmeStatus.InvalidNamespace;
                    break;
                }

                if (cns == 0x00)
                {
                    IdentifyNamespaceData.Write(data, ns.Identity());
                }
                else if (cns == 0x03)
                {
                    IdentifyNamespaceData.WriteDescriptors(data, ns.Identity());
                }
                else if (csi == 0)
                {
                    // I/O command set specific Identify Namespace for the NVM command set: nothing beyond CNS 00h.
                    data.Clear();
                }
                else
                {
                    status = NvmeStatus.InvalidField;
                }

                break;
            case 0x02:
                {
                    var namespaces = subsystem.Namespaces();
                    Span<uint> nsids = stackalloc uint[Math.Min(namespaces.Count, 1024)];
                    for (var i = 0; i < nsids.Length; i++)
                    {
                        nsids[i] = namespaces[i].Nsid;
                    }

                    IdentifyNamespaceData.WriteActiveList(data, nsids, sqe.NamespaceId);
                    break;
                }

            case 0x06 when csi == 0:
                // I/O command set specific Identify Controller (NVM): no extra limits (VSL, WZSL, DMRL 0).
                data.Clear();
                break;
            default:
                status = NvmeStatus.InvalidField;
                break;
        }

        return new CommandResult(status, Data: buffer, DataLength: IdentifyControllerData.Length);
    }

    private ControllerIdentity Identity(NvmeController controller)
    {
        var limits = _server.Options.Limits;
        var subsystem = controller.Subsystem;
        var namespaces = subsystem.Namespaces();
        var volatileCache = false;
        var deallocate = false;
        foreach (var ns in namespaces)
        {
            volatileCache |= (ns.Device.Features & Storage.BlockDeviceFeatures.VolatileWriteCache) != 0;
            deallocate |= ns.SupportsUnmap;
        }

        return new ControllerIdentity
        {
            ControllerId = controller.Id,
            SubsystemNqn = subsystem.Nqn,
            Serial = subsystem.Serial,
            IsDiscovery = subsystem.IsDiscovery,
            NamespaceCount = subsystem.IsDiscovery ? 0 : NvmeSubsystem.MaxNamespaces,
            MaxDataTransferExponent = (byte)System.Numerics.BitOperations.Log2((uint)(limits.MaxTransferBytes / 4096)),
            MaxCommands = (ushort)limits.MaxQueueEntries,
            IoCommandCapsuleBytes = SubmissionEntry.Length + limits.MaxInCapsuleData,
            VolatileWriteCache = volatileCache,
            AsyncEventLimit = (byte)limits.MaxAsyncEvents,
            SupportsDeallocate = deallocate,
        };
    }

    /// <summary>
    /// Get Log Page (base 2.0, 5.16): LID CDW10 7:0, LSP 14:8, RAE 15, NUMDL 31:16 and NUMDU CDW11 15:0
    /// (dwords, 0's based), offset LPOL/LPOU CDW12-13 (dword aligned). The page is built whole and
    /// the asked window of it returned, zero-filled past its end.
    /// </summary>
    private CommandResult GetLogPage(NvmeController controller, in SubmissionEntry sqe)
    {
        if (sqe.SglIdentifier != SubmissionEntry.SglTransport)
        {
            return NvmeStatus.SglDescriptorTypeInvalid;
        }

        var lid = (LogPageId)(byte)sqe.Cdw10;
        var lsp = (sqe.Cdw10 >> 8) & 0x7F;
        var retainEvent = (sqe.Cdw10 & (1u << 15)) != 0;
        var dwords = ((sqe.Cdw10 >> 16) | ((ulong)(sqe.Cdw11 & 0xFFFF) << 16)) + 1;
        var length = dwords * 4;
        var offset = sqe.Cdw12 | ((ulong)sqe.Cdw13 << 32);
        if (length > (ulong)_server.Options.Limits.MaxTransferBytes || length > sqe.SglLength)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        if ((offset & 3) != 0)
        {
            return NvmeStatus.InvalidField;
        }

        var subsystem = controller.Subsystem;
        var page = lid == LogPageId.ReservationNotification && !subsystem.IsDiscovery
            ? controller.TakeReservationNotification(retainEvent)
            : BuildLogPage(controller, subsystem, lid, lsp, retainEvent);
        if (page is null)
        {
            return NvmeStatus.InvalidLogPage;
        }

        if (offset > (ulong)page.Length)
        {
            return NvmeStatus.InvalidField;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        var window = buffer.AsSpan(0, (int)length);
        window.Clear();
        var available = page.AsSpan((int)offset);
        available[..Math.Min(available.Length, window.Length)].CopyTo(window);
        return new CommandResult(NvmeStatus.Success, Data: buffer, DataLength: (int)length);
    }

    private byte[]? BuildLogPage(NvmeController controller, NvmeSubsystem subsystem, LogPageId lid, uint lsp, bool retainEvent)
    {
        if (subsystem.IsDiscovery)
        {
            if (lid != LogPageId.Discovery)
            {
                return null;
            }

            var entries = _server.DiscoveryEntries(this);
            var discovery = new byte[DiscoveryLog.Length(entries.Length)];
            DiscoveryLog.Write(discovery, _server.DiscoveryGeneration, entries);
            controller.DiscoveryLogRead(retainEvent);
            return discovery;
        }

        switch (lid)
        {
            case LogPageId.Error:
                return new byte[LogPages.ErrorEntryLength];
            case LogPageId.Smart:
                {
                    var smart = new byte[LogPages.SmartLength];
                    var hours = (ulong)(DateTime.UtcNow - subsystem.Started).TotalHours;
                    LogPages.WriteSmart(smart, new LogPages.SmartCounters(
                        (ulong)Interlocked.Read(ref subsystem.BytesRead),
                        (ulong)Interlocked.Read(ref subsystem.BytesWritten),
                        (ulong)Interlocked.Read(ref subsystem.ReadCommands),
                        (ulong)Interlocked.Read(ref subsystem.WriteCommands),
                        hours));
                    return smart;
                }

            case LogPageId.FirmwareSlot:
                {
                    // AFI: slot 1 active; FRS1 the firmware revision.
                    var firmware = new byte[512];
                    firmware[0] = 1;
                    NvmeText.WriteSpacePadded(firmware.AsSpan(8, 8), "0.1.0");
                    return firmware;
                }

            case LogPageId.ChangedNamespaces:
                {
                    var changed = new byte[ChangedNamespaceList.Length];
                    controller.TakeChangedNamespaces(changed, retainEvent);
                    return changed;
                }

            case LogPageId.Ana:
                {
                    var namespaces = subsystem.Namespaces();
                    var nsids = new uint[namespaces.Count];
                    var states = new AnaState[namespaces.Count];
                    for (var i = 0; i < nsids.Length; i++)
                    {
                        nsids[i] = namespaces[i].Nsid;
                        states[i] = controller.AnaStateOf(namespaces[i]);
                    }

                    var groupsOnly = (lsp & 1) != 0;
                    var ana = new byte[LogPages.AnaLength(nsids.Length, groupsOnly)];
                    LogPages.WriteAna(ana, _server.AnaChangeCount, nsids, states, groupsOnly);
                    return ana;
                }

            default:
                return null;
        }
    }

    /// <summary>Set Features (base 2.0, 5.27): FID CDW10 7:0, SV bit 31; values in CDW11.</summary>
    private static CommandResult SetFeatures(NvmeController controller, in SubmissionEntry sqe)
    {
        if ((sqe.Cdw10 & 0x8000_0000) != 0)
        {
            return NvmeStatus.FeatureNotSaveable;
        }

        switch ((FeatureId)(byte)sqe.Cdw10)
        {
            case FeatureId.NumberOfQueues:
                {
                    // NSQR 15:0 and NCQR 31:16, 0's based; FFFFh is invalid. The answer is what is granted.
                    var submission = sqe.Cdw11 & 0xFFFF;
                    var completion = sqe.Cdw11 >> 16;
                    if (submission == 0xFFFF || completion == 0xFFFF)
                    {
                        return NvmeStatus.InvalidField;
                    }

                    var granted = (int)Math.Min(Math.Min(submission, completion) + 1, (uint)controller.Limits.MaxIoQueues);
                    controller.GrantedIoQueues = granted;
                    return new CommandResult(NvmeStatus.Success, (uint)(granted - 1) | ((uint)(granted - 1) << 16));
                }

            case FeatureId.KeepAliveTimer:
                controller.SetKeepAliveTimeout(sqe.Cdw11);
                return CommandResult.Ok;
            case FeatureId.AsyncEventConfiguration:
                controller.AsyncEventConfiguration = sqe.Cdw11;
                return CommandResult.Ok;
            case FeatureId.VolatileWriteCache or FeatureId.Arbitration or FeatureId.PowerManagement or FeatureId.TemperatureThreshold or FeatureId.ErrorRecovery or FeatureId.InterruptCoalescing or FeatureId.WriteAtomicity:
                // Accepted and without effect: the device's cache and power are not the host's to change.
                return CommandResult.Ok;
            default:
                return NvmeStatus.InvalidField;
        }
    }

    /// <summary>Get Features (base 2.0, 5.15): the current value in DW0.</summary>
    private static CommandResult GetFeatures(NvmeController controller, in SubmissionEntry sqe)
    {
        uint value;
        switch ((FeatureId)(byte)sqe.Cdw10)
        {
            case FeatureId.NumberOfQueues:
                value = (uint)(controller.GrantedIoQueues - 1) | ((uint)(controller.GrantedIoQueues - 1) << 16);
                break;
            case FeatureId.KeepAliveTimer:
                value = controller.KeepAliveMs;
                break;
            case FeatureId.AsyncEventConfiguration:
                value = controller.AsyncEventConfiguration;
                break;
            case FeatureId.TemperatureThreshold:
                value = 343;
                break;
            case FeatureId.Arbitration or FeatureId.PowerManagement or FeatureId.ErrorRecovery or FeatureId.InterruptCoalescing or FeatureId.WriteAtomicity or FeatureId.VolatileWriteCache:
                value = 0;
                break;
            default:
                return NvmeStatus.InvalidField;
        }

        return new CommandResult(NvmeStatus.Success, value);
    }
}
