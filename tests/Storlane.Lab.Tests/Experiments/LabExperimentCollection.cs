namespace Storlane.Lab.Tests.Experiments;

/// <summary>
/// The experiments measure throughput on a 2-core machine, so they run one at a time and after
/// every other test (xunit runs a collection with parallelization disabled on its own).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabExperimentCollection
{
    public const string Name = "lab experiments";
}
