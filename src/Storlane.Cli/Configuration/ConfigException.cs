namespace Storlane.Cli.Configuration;

/// <summary>The config was refused; <see cref="Errors"/> holds every problem found, in file order.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("a config exception needs at least one error", nameof(errors));
        }

        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    public ConfigError First => Errors[0];
}
