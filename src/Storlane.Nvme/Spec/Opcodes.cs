namespace Storlane.Nvme;

/// <summary>Admin command opcodes the controller answers (NVMe base 2.0, figure 28).</summary>
public enum AdminOpcode : byte
{
    GetLogPage = 0x02,
    Identify = 0x06,
    Abort = 0x08,
    SetFeatures = 0x09,
    GetFeatures = 0x0A,
    AsyncEventRequest = 0x0C,
    KeepAlive = 0x18,

    /// <summary>Fabrics commands (NVMe over Fabrics 1.1, 3.3): the type is in byte 4 (FCTYPE).</summary>
    Fabrics = 0x7F,
}

/// <summary>NVM command set I/O opcodes (NVM command set 1.0, figure 12).</summary>
public enum IoOpcode : byte
{
    Flush = 0x00,
    Write = 0x01,
    Read = 0x02,
    Compare = 0x05,
    WriteZeroes = 0x08,
    DatasetManagement = 0x09,

    /// <summary>Reservation commands (NVMe base 2.0, 7.3-7.6; figure 30 of the NVM command set).</summary>
    ReservationRegister = 0x0D,
    ReservationReport = 0x0E,
    ReservationAcquire = 0x11,
    ReservationRelease = 0x15,
}

/// <summary>FCTYPE of a Fabrics command (NVMe over Fabrics 1.1, figure 9).</summary>
public enum FabricsCommandType : byte
{
    PropertySet = 0x00,
    Connect = 0x01,
    PropertyGet = 0x04,
    AuthenticationSend = 0x05,
    AuthenticationReceive = 0x06,
    Disconnect = 0x08,
}

/// <summary>Log page identifiers (NVMe base 2.0, figure 202; 0x70 NVMe over Fabrics 1.1, 5.3).</summary>
public enum LogPageId : byte
{
    Error = 0x01,
    Smart = 0x02,
    FirmwareSlot = 0x03,
    ChangedNamespaces = 0x04,
    Ana = 0x0C,
    Discovery = 0x70,
    ReservationNotification = 0x80,
}

/// <summary>Feature identifiers (NVMe base 2.0, figure 317).</summary>
public enum FeatureId : byte
{
    Arbitration = 0x01,
    PowerManagement = 0x02,
    TemperatureThreshold = 0x04,
    ErrorRecovery = 0x05,
    VolatileWriteCache = 0x06,
    NumberOfQueues = 0x07,
    InterruptCoalescing = 0x08,
    WriteAtomicity = 0x0A,
    AsyncEventConfiguration = 0x0B,
    KeepAliveTimer = 0x0F,
}
