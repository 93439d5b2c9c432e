namespace Storlane.Lab.Experiments;

/// <summary>An experiment could not finish: a child process failed or a result is missing. The message says which and why.</summary>
public sealed class LabExperimentException : Exception
{
    public LabExperimentException(string message)
        : base(message)
    {
    }

    public LabExperimentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
