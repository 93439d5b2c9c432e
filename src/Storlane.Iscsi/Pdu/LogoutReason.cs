namespace Storlane.Iscsi.Pdu;

/// <summary>RFC 7143 11.14.1 logout reason codes.</summary>
public enum LogoutReason : byte
{
    CloseSession = 0,
    CloseConnection = 1,
    RemoveConnectionForRecovery = 2,
}

/// <summary>RFC 7143 11.15.1 logout response codes.</summary>
public enum LogoutResponse : byte
{
    ConnectionOrSessionClosed = 0,
    CidNotFound = 1,
    RecoveryNotSupported = 2,
    CleanupFailed = 3,
}

/// <summary>RFC 7143 11.3 / 11.4 login stages (CSG/NSG).</summary>
public enum LoginStage : byte
{
    SecurityNegotiation = 0,
    LoginOperationalNegotiation = 1,
    FullFeaturePhase = 3,
}
