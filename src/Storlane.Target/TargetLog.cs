using System.Net;
using Microsoft.Extensions.Logging;

namespace Storlane.Target;

/// <summary>Source-generated log messages of the target: no formatting cost when a level is off.</summary>
internal static partial class TargetLog
{
    [LoggerMessage(1001, LogLevel.Information, "Listening on {Endpoint} (portal group {Group})")]
    public static partial void Listening(ILogger logger, EndPoint endpoint, ushort group);

    [LoggerMessage(1002, LogLevel.Information, "Serving {Target} LUN {Lun}: {Geometry}, {Backend}")]
    public static partial void ServingLun(ILogger logger, string target, ulong lun, string geometry, string backend);

    [LoggerMessage(1003, LogLevel.Debug, "Connection {Connection} from {Remote} on {Local}")]
    public static partial void ConnectionAccepted(ILogger logger, long connection, EndPoint? remote, EndPoint? local);

    [LoggerMessage(1004, LogLevel.Information, "Login: {Initiator} -> {Target} ({SessionType}), TSIH {Tsih}, connection {Connection} from {Remote}")]
    public static partial void LoginSucceeded(ILogger logger, long connection, string initiator, string target, string sessionType, ushort tsih, EndPoint? remote);

    [LoggerMessage(1005, LogLevel.Warning, "Login refused for {Initiator} -> {Target}, connection {Connection} from {Remote}: {Status} ({Reason})")]
    public static partial void LoginFailed(ILogger logger, long connection, string initiator, string target, EndPoint? remote, Iscsi.LoginStatus status, string reason);

    [LoggerMessage(1006, LogLevel.Warning, "Protocol error on connection {Connection} from {Remote}, closing it: {Reason}")]
    public static partial void ProtocolError(ILogger logger, long connection, EndPoint? remote, string reason);

    [LoggerMessage(1007, LogLevel.Information, "Connection {Connection} from {Remote} closed ({Why})")]
    public static partial void ConnectionClosed(ILogger logger, long connection, EndPoint? remote, string why);

    [LoggerMessage(1008, LogLevel.Information, "Session TSIH {Tsih} of {Initiator} reinstated by a new login")]
    public static partial void SessionReinstated(ILogger logger, ushort tsih, string initiator);

    [LoggerMessage(1009, LogLevel.Information, "Task management {Function} on LUN {Lun} from {Initiator} (TSIH {Tsih}, connection {Connection}, ITT 0x{Itt:x8}): {Response}")]
    public static partial void TaskManagement(ILogger logger, long connection, ushort tsih, uint itt, Iscsi.Pdu.TaskManagementFunction function, ulong lun, string initiator, Iscsi.Pdu.TaskManagementResponse response);

    [LoggerMessage(1010, LogLevel.Warning, "No answer to NOP-In ping on connection {Connection} from {Remote} in {Seconds} s, closing it")]
    public static partial void PingTimeout(ILogger logger, long connection, EndPoint? remote, int seconds);

    [LoggerMessage(1011, LogLevel.Error, "Unexpected error on connection {Connection} from {Remote}")]
    public static partial void ConnectionFault(ILogger logger, long connection, EndPoint? remote, Exception exception);

    [LoggerMessage(1012, LogLevel.Information, "Target stopped: {Sessions} sessions closed, devices flushed")]
    public static partial void Stopped(ILogger logger, int sessions);

    [LoggerMessage(1013, LogLevel.Warning, "Data digest error on connection {Connection} from {Remote} on {Opcode}; rejecting and closing the connection")]
    public static partial void DataDigestError(ILogger logger, long connection, EndPoint? remote, Iscsi.Pdu.Opcode opcode);

    [LoggerMessage(1014, LogLevel.Information, "Stopped listening on {Endpoint} (portal group {Group}): the address left this host or the portal was removed")]
    public static partial void PortalClosed(ILogger logger, EndPoint endpoint, ushort group);

    [LoggerMessage(1015, LogLevel.Warning, "Portal {Endpoint}: the address is not on this host; listening as soon as it appears")]
    public static partial void PortalWaitingForAddress(ILogger logger, EndPoint endpoint);

    [LoggerMessage(1016, LogLevel.Error, "Portal {Endpoint}: cannot listen ({Error}: {Message}); retrying on the next network change")]
    public static partial void PortalBindFailed(ILogger logger, EndPoint endpoint, System.Net.Sockets.SocketError error, string message);

    [LoggerMessage(1017, LogLevel.Warning, "Data digest error on a Data-Out on connection {Connection} from {Remote}: rejected; its task ends with CHECK CONDITION (protocol service CRC error)")]
    public static partial void DataOutDigestError(ILogger logger, long connection, EndPoint? remote);

    [LoggerMessage(1018, LogLevel.Warning, "Data-Out DataSN gap on connection {Connection} from {Remote} (ITT 0x{Itt:x8}): data lost; the task ends with CHECK CONDITION (protocol service CRC error)")]
    public static partial void DataSequenceGap(ILogger logger, long connection, EndPoint? remote, uint itt);

    [LoggerMessage(1019, LogLevel.Information, "{Target} LUN {Lun} grown to {Bytes} bytes: initiators get CAPACITY DATA HAS CHANGED")]
    public static partial void LunGrown(ILogger logger, string target, ulong lun, long bytes);

    [LoggerMessage(1048, LogLevel.Information, "Memory given back after a burst: managed heap {BeforeMiB} MiB -> {AfterMiB} MiB ({PauseMs} ms collection)")]
    public static partial void MemoryReclaimed(ILogger logger, long beforeMiB, long afterMiB, long pauseMs);

    [LoggerMessage(1049, LogLevel.Debug, "Memory reclaim deferred: heap {GrowthMiB} MiB above its settled size, but {AllocatedMiB} MiB allocated in the last period")]
    public static partial void MemoryReclaimDeferred(ILogger logger, long growthMiB, long allocatedMiB);

    [LoggerMessage(1040, LogLevel.Warning, "Connection from {Remote} on {Local} refused: {Limit} reached ({Refused} refused since the start)")]
    public static partial void ConnectionRefused(ILogger logger, EndPoint remote, EndPoint local, string limit, long refused);

    [LoggerMessage(1041, LogLevel.Warning, "Connection {Connection} from {Remote} dropped: {Why}")]
    public static partial void ConnectionTimedOut(ILogger logger, long connection, EndPoint? remote, string why);

    [LoggerMessage(1043, LogLevel.Error, "Watching the host's addresses failed; trying again at the next change or poll")]
    public static partial void AddressWatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(1042, LogLevel.Error, "Portal {Endpoint}: setting up an accepted connection failed; the portal keeps accepting")]
    public static partial void AcceptedSocketSetupFailed(ILogger logger, EndPoint endpoint, Exception exception);

    [LoggerMessage(1044, LogLevel.Warning, "Portal {Endpoint}: accept failed ({Error}); retrying")]
    public static partial void AcceptFailed(ILogger logger, EndPoint endpoint, System.Net.Sockets.SocketError error);


    /// <summary>One line per failed authentication, with the counts the throttle keeps (never the secret).</summary>
    [LoggerMessage(1039, LogLevel.Warning, "Authentication failed for {Initiator} -> {Target}, connection {Connection} from {Remote}: failure {InitiatorFailures} of this initiator, {AddressFailures} from this address; response held back {DelayMs} ms ({Reason})")]
    public static partial void AuthenticationFailed(ILogger logger, long connection, string initiator, string target, EndPoint? remote, int initiatorFailures, int addressFailures, long delayMs, string reason);

    [LoggerMessage(1045, LogLevel.Warning, "max-connections {Configured} lowered to {Allowed}: the process may open too few file descriptors for more (raise ulimit -n, or LimitNOFILE= in the service)")]
    public static partial void ConnectionsLimitedByDescriptors(ILogger logger, int configured, int allowed);

    [LoggerMessage(1046, LogLevel.Error, "Stopping: flushing {Target} LUN {Lun} failed; writes it acknowledged may not be durable. Closing it and the other devices anyway")]
    public static partial void DeviceFlushFailed(ILogger logger, string target, ulong lun, Exception exception);

    [LoggerMessage(1047, LogLevel.Error, "Stopping: closing {Target} LUN {Lun} failed; closing the other devices anyway")]
    public static partial void DeviceCloseFailed(ILogger logger, string target, ulong lun, Exception exception);

    [LoggerMessage(1050, LogLevel.Information, "{Target}: portal group {Group} is now {State} (ALUA); every session is told")]
    public static partial void PortalGroupStateSet(ILogger logger, string target, ushort group, Scsi.TargetPortGroupState state);

    [LoggerMessage(1051, LogLevel.Information, "Portal group {Group} starts {State} (ALUA), as configured")]
    public static partial void PortalGroupStateConfigured(ILogger logger, ushort group, Scsi.TargetPortGroupState state);

    [LoggerMessage(1060, LogLevel.Warning, "Session TSIH {Tsih} of {Initiator} ended from outside: {Why}")]
    public static partial void SessionEndedByManagement(ILogger logger, ushort tsih, string initiator, string why);

    // 1070..1079: live changes from the management API.
    [LoggerMessage(1070, LogLevel.Information, "{Target}: LUN {Lun} added while serving ({Geometry}, {Backend}); every session is told (REPORTED LUNS DATA HAS CHANGED)")]
    public static partial void LunAdded(ILogger logger, string target, ulong lun, string geometry, string backend);

    [LoggerMessage(1071, LogLevel.Information, "{Target}: LUN {Lun} removed while serving; every session is told (REPORTED LUNS DATA HAS CHANGED)")]
    public static partial void LunRemoved(ILogger logger, string target, ulong lun);

    [LoggerMessage(1072, LogLevel.Information, "{Target} LUN {Lun}: read-only is now {ReadOnly}")]
    public static partial void LunReadOnlySet(ILogger logger, string target, ulong lun, bool readOnly);

    [LoggerMessage(1073, LogLevel.Information, "{Target} LUN {Lun}: now {State} (ALUA unavailable while offline); every session is told")]
    public static partial void LunOfflineSet(ILogger logger, string target, ulong lun, string state);

    [LoggerMessage(1074, LogLevel.Information, "{Target}: the ACL now allows {Initiators}")]
    public static partial void AclSet(ILogger logger, string target, string initiators);

    [LoggerMessage(1075, LogLevel.Information, "{Target}: CHAP credentials replaced; logins from now on use them, sessions already in are kept")]
    public static partial void ChapSet(ILogger logger, string target);

    [LoggerMessage(1076, LogLevel.Warning, "{Target} LUN {Lun}: {Count} command(s) still in flight after {Seconds} s; closing its device anyway")]
    public static partial void RemovedLunBusy(ILogger logger, string target, ulong lun, int count, int seconds);

    // 1080..1089: the wire trace (category Storlane.Target.Pdus, trace level; callers check IsEnabled once per connection).
    [LoggerMessage(1080, LogLevel.Trace, "connection {Connection} <- {Opcode} ITT 0x{Itt:x8} CmdSN/ExpStatSN {Sn} data {DataLength}")]
    public static partial void PduReceived(ILogger logger, long connection, Iscsi.Pdu.Opcode opcode, uint itt, uint sn, int dataLength);

    [LoggerMessage(1081, LogLevel.Trace, "connection {Connection} -> {Opcode} ITT 0x{Itt:x8} StatSN {StatSn} data {DataLength}")]
    public static partial void PduSent(ILogger logger, long connection, Iscsi.Pdu.Opcode opcode, uint itt, uint statSn, int dataLength);
}
