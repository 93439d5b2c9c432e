using Storlane.Storage;

namespace Storlane.Cli.Configuration;

/// <summary>
/// Kept only for <c>ConfigReloader</c>'s messages (owned elsewhere): sizes are parsed and described by
/// <see cref="ByteSize"/>, the one size rule of the CLI, the config and the bench.
/// </summary>
internal static class SizeParser
{
    public static string Format(long bytes) => ByteSize.Describe(bytes);
}
