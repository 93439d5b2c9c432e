namespace Storlane.Lab.Topology;

/// <summary>Which link mode the caller asks for.</summary>
public enum LabLinkPreference
{
    /// <summary>Namespaces when root and iproute2 work, else in-process links (the description says why).</summary>
    Auto,

    /// <summary>Namespaces or an error.</summary>
    Namespaces,

    /// <summary>In-process links, even when namespaces would work.</summary>
    InProcess,
}
