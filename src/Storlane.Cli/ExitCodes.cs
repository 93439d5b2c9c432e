namespace Storlane.Cli;

/// <summary>Process exit codes, documented in the README and relied on by scripts.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The target could not start (a port in use, a LUN file that will not open) or failed while running.</summary>
    public const int Failure = 1;

    /// <summary>The config file was refused; stderr names file:line:column and the reason.</summary>
    public const int ConfigError = 2;
}
