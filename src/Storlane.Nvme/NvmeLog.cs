using System.Net;
using Microsoft.Extensions.Logging;

namespace Storlane.Nvme;

/// <summary>The NVMe/TCP layer's log messages (source-generated: no formatting on the I/O path).</summary>
internal static partial class NvmeLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "NVMe/TCP listening on {Endpoint} ({Kind}, portal group {Group})", EventName = "NvmeListening")]
    public static partial void Listening(ILogger logger, IPEndPoint endpoint, string kind, ushort group);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "NVMe/TCP subsystem {Nqn}: {Namespaces} namespace(s) from target {Target}")]
    public static partial void ServingSubsystem(ILogger logger, string nqn, int namespaces, string target);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "NVMe/TCP controller {ControllerId} of {Nqn} for host {HostNqn} on connection {Connection} from {Remote} (keep-alive {KeepAliveMs} ms)")]
    public static partial void ControllerCreated(ILogger logger, ushort controllerId, string nqn, string hostNqn, long connection, EndPoint? remote, uint keepAliveMs);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "NVMe/TCP controller {ControllerId} of {Nqn} removed ({Reason})")]
    public static partial void ControllerRemoved(ILogger logger, ushort controllerId, string nqn, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "NVMe/TCP controller {ControllerId} of {Nqn}: no Keep Alive within {KeepAliveMs} ms; its queues are closed")]
    public static partial void KeepAliveExpired(ILogger logger, ushort controllerId, string nqn, uint keepAliveMs);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "NVMe/TCP connection {Connection} from {Remote} ended by a fatal transport error ({Status}, FEI {FieldOffset}): {Reason}")]
    public static partial void FatalTransportError(ILogger logger, long connection, EndPoint? remote, string status, uint fieldOffset, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "NVMe/TCP connect from {Remote} refused: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "NVMe/TCP connection from {Remote} refused: {Open} connections are open (the limit)")]
    public static partial void ConnectionRefusedAtLimit(ILogger logger, EndPoint? remote, int open);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "NVMe/TCP command 0x{Opcode:x2} on namespace {Nsid} failed in the device")]
    public static partial void DeviceFailed(ILogger logger, byte opcode, uint nsid, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "NVMe/TCP connection {Connection} from {Remote} closed: {Reason}")]
    public static partial void NvmeConnectionClosed(ILogger logger, long connection, EndPoint? remote, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "NVMe/TCP accept on {Endpoint} failed: {Error}", EventName = "NvmeAcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint endpoint, string error);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "NVMe/TCP connection {Connection} from {Remote} sent no Connect within {Seconds} s; closed")]
    public static partial void HandshakeTimeout(ILogger logger, long connection, EndPoint? remote, int seconds);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Information, Message = "NVMe/TCP no longer listening on {Endpoint} ({Kind}): its portal was removed")]
    public static partial void StoppedListening(ILogger logger, IPEndPoint endpoint, string kind);

    [LoggerMessage(EventId = 3050, Level = LogLevel.Warning, Message = "NVMe/TCP controller {ControllerId}: host aborted command {CommandId} of queue {QueueId} (aborted: {Aborted})")]
    public static partial void AbortRequested(ILogger logger, ushort controllerId, ushort queueId, ushort commandId, bool aborted);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Information, Message = "NVMe/TCP controller {ControllerId}: reservation notification {Type} for namespace {Nsid}")]
    public static partial void ReservationNotification(ILogger logger, ushort controllerId, byte type, uint nsid);
}
