namespace Storlane.Nvme.Target;

/// <summary>Set Features on a discovery controller.</summary>
internal sealed partial class NvmeTcpQueue
{
    /// <summary>
    /// A discovery controller takes the Keep Alive Timer and Asynchronous Event Configuration features
    /// (NVMe over Fabrics 1.1, 5.4, figure 39): a host that keeps its discovery controller connected
    /// enables Discovery Log Page Change notices (AEC bit 31) and re-reads log 70h on each.
    /// </summary>
    private static CommandResult SetDiscoveryFeatures(NvmeController controller, in SubmissionEntry sqe)
    {
        if ((sqe.Cdw10 & 0x8000_0000) != 0)
        {
            return NvmeStatus.FeatureNotSaveable;
        }

        switch ((FeatureId)(byte)sqe.Cdw10)
        {
            case FeatureId.KeepAliveTimer:
                controller.SetKeepAliveTimeout(sqe.Cdw11);
                return CommandResult.Ok;
            case FeatureId.AsyncEventConfiguration:
                controller.AsyncEventConfiguration = sqe.Cdw11 & AsyncEvents.DiscoveryLogChangeNotices;
                return CommandResult.Ok;
            default:
                return NvmeStatus.InvalidField;
        }
    }
}
