using Storlane.Fuzz.Tests.Engine;

namespace Storlane.Fuzz.Tests.Targets;

internal sealed class ConnectionTarget : FuzzTarget
{
    public override string Name => "connection";

    public override IEnumerable<byte[]> BuiltInSeeds() => [];

    public override void Execute(byte[] input, int seed)
    {
    }
}
