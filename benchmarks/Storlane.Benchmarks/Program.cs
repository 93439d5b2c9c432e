using BenchmarkDotNet.Running;

namespace Storlane.Benchmarks;

public static class Program
{
    /// <summary>`dotnet run -c Release --project benchmarks/Storlane.Benchmarks -- --filter '*'`</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
