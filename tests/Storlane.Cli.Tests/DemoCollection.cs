namespace Storlane.Cli.Tests;

/// <summary>The demo measures: nothing else in this assembly runs while it does.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoCollection
{
    public const string Name = "demo, alone";
}
