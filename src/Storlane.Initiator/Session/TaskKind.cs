namespace Storlane.Initiator.Session;

/// <summary>What an initiator task tag stands for.</summary>
internal enum TaskKind
{
    Scsi,
    Ping,
    TaskManagement,
    Logout,
    Text,
}
