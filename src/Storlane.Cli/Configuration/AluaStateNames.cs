using Storlane.Scsi;

namespace Storlane.Cli.Configuration;

/// <summary>The config's words for the ALUA asymmetric access states (SPC-4 5.16.2.4), both ways.</summary>
internal static class AluaStateNames
{
    public const string Choices = "active-optimized, active-non-optimized, standby or unavailable";

    public static bool TryParse(string text, out TargetPortGroupState state)
    {
        switch (text)
        {
            case "active-optimized":
                state = TargetPortGroupState.ActiveOptimized;
                return true;
            case "active-non-optimized":
                state = TargetPortGroupState.ActiveNonOptimized;
                return true;
            case "standby":
                state = TargetPortGroupState.Standby;
                return true;
            case "unavailable":
                state = TargetPortGroupState.Unavailable;
                return true;
            default:
                state = default;
                return false;
        }
    }

    public static string Name(TargetPortGroupState state) => state switch
    {
        TargetPortGroupState.ActiveOptimized => "active-optimized",
        TargetPortGroupState.ActiveNonOptimized => "active-non-optimized",
        TargetPortGroupState.Standby => "standby",
        TargetPortGroupState.Unavailable => "unavailable",
        _ => state.ToString(),
    };
}
