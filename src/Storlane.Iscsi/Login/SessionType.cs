namespace Storlane.Iscsi.Login;

/// <summary>The SessionType key (RFC 7143 13.21): "Normal" (the default) or "Discovery".</summary>
public enum SessionType
{
    Normal,
    Discovery,
}
