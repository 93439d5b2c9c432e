namespace Storlane.Scsi;

/// <summary>
/// Whether the last sanitize operation of a unit failed, and how it may be left (SBC-3 4.11, 5.19:
/// the AUSE bit of the SANITIZE that started it).
/// </summary>
public enum SanitizeFailure
{
    /// <summary>No failed operation: the unit serves commands.</summary>
    None,

    /// <summary>Failed with AUSE = 0: only another sanitize that completes without error ends it.</summary>
    Restricted,

    /// <summary>Failed with AUSE = 1: EXIT FAILURE MODE ends it too.</summary>
    Unrestricted,
}
