namespace Storlane.Iscsi.Login;

/// <summary>
/// Where a text exchange happens: the login stage of the request (CSG, RFC 7143 11.12.3) or a Text
/// Request in full feature phase. The phase decides which keys are legal.
/// </summary>
public enum LoginPhase
{
    Security,
    Operational,
    FullFeature,
}
