namespace Storlane.Bench.Suites;

/// <summary>A suite file was refused; <see cref="Problems"/> holds one "file:line:column: reason" per problem.</summary>
public sealed class SuiteFormatException : Exception
{
    public SuiteFormatException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
