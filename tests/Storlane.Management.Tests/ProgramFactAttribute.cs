namespace Storlane.Management.Tests;

/// <summary>
/// A fact reported as skipped, naming the Debian package, when the program it drives is not
/// installed (xunit 2 has no dynamic skip; the constructor runs at discovery).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProgramFactAttribute : FactAttribute
{
    public ProgramFactAttribute(string path, string package)
    {
        Skip = File.Exists(path) ? null : $"skipped: {path} is not installed (apt-get install {package}; ./test.sh installs it when run as root)";
    }
}
