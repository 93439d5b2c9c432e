namespace Storlane.Cli;

/// <summary>
/// Process exit codes, one rule for every command, documented in the README and relied on by scripts:
/// 0 success, 1 a failure at run time, 2 a usage or config error (nothing was done).
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work failed at run time: the target could not start (a port in use), an I/O error, a file that will not open.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments: stderr says what is wrong first, then which help to read.</summary>
    public const int UsageError = 2;

    /// <summary>The config file (or an option's value) was refused; stderr names file:line:column and the reason. Same code as <see cref="UsageError"/>.</summary>
    public const int ConfigError = UsageError;
}
