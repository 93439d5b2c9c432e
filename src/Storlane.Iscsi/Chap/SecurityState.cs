namespace Storlane.Iscsi.Chap;

/// <summary>Where the security negotiation stands after a request.</summary>
public enum SecurityState
{
    /// <summary>More exchanges are needed; the response must not let the initiator leave the stage.</summary>
    InProgress,

    /// <summary>Authentication finished (or none was required); the initiator may move on.</summary>
    Authenticated,

    /// <summary>The login must end with the outcome's status.</summary>
    Failed,
}
