using Storlane.Fuzz.Tests.Targets;

namespace Storlane.Fuzz.Tests.Engine;

internal static class FuzzTargets
{
    public static readonly string[] Names = ["pdu", "login", "cdb", "vhdx", "connection", "nvme"];

    public static FuzzTarget Create(string name) => name switch
    {
        "pdu" => new PduFramingTarget(),
        "login" => new LoginTarget(),
        "cdb" => new CdbTarget(),
        "vhdx" => new VhdxTarget(),
        "connection" => new ConnectionTarget(),
        "nvme" => new NvmeConnectionTarget(),
        _ => throw new ArgumentException($"unknown fuzz target '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };
}
