using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

/// <summary>
/// Collects every problem instead of stopping at the first, so one run of <c>storlane serve</c>
/// shows the admin all that is wrong with a file.
/// </summary>
internal sealed class ConfigErrorList
{
    private readonly List<ConfigError> _errors = [];

    public ConfigErrorList(string file)
    {
        File = file;
    }

    public string File { get; }

    public int Count => _errors.Count;

    public void Add(YamlNode node, string message) => Add((int)node.Start.Line, (int)node.Start.Column, message);

    public void Add(int line, int column, string message) => _errors.Add(new ConfigError(File, line, column, message));

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new ConfigException([.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }
    }
}
