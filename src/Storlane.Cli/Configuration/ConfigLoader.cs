using System.Text.RegularExpressions;
using Storlane.Management;
using Storlane.Target;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

/// <summary>
/// Turns a YAML config into <see cref="TargetServerOptions"/>, or throws <see cref="ConfigException"/>
/// listing every problem with its line and column. The built-in default goes through the same
/// code, so it is validated like any file an admin writes.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>How errors in the built-in default are attributed (they would be a Storlane bug).</summary>
    public const string DefaultSourceName = "default-config.yaml (built in)";

    private const string DefaultResourceName = "Storlane.Cli.Configuration.default-config.yaml";

    /// <summary>The built-in default config, as shipped inside storlane.dll.</summary>
    public static string DefaultYaml { get; } = ReadDefaultYaml();

    /// <param name="path">The config file, reported in errors as given.</param>
    /// <param name="dataDirectory">Base folder for relative LUN paths.</param>
    public static TargetServerOptions LoadFile(string path, string dataDirectory) => Parse(ReadFile(path), path, dataDirectory);

    private static string ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, $"cannot read the config file: {e.Message}")]);
        }

        return text;
    }

    public static TargetServerOptions LoadDefault(string dataDirectory) => Parse(DefaultYaml, DefaultSourceName, dataDirectory);

    public static TargetServerOptions Parse(string yaml, string sourceName, string dataDirectory) => ParseServe(yaml, sourceName, dataDirectory).Target;

    /// <summary>The whole config `serve` runs: the target's options and the management API's.</summary>
    public static ServeConfig LoadServeFile(string path, string dataDirectory) => ParseServe(ReadFile(path), path, dataDirectory);

    /// <summary>The file's text with what it says, so a running serve can later edit and save the same text.</summary>
    public static (string Yaml, ServeConfig Config) LoadServeFileWithText(string path, string dataDirectory)
    {
        var yaml = ReadFile(path);
        return (yaml, ParseServe(yaml, path, dataDirectory));
    }

    public static ServeConfig LoadServeDefault(string dataDirectory) => ParseServe(DefaultYaml, DefaultSourceName, dataDirectory);

    public static ServeConfig ParseServe(string yaml, string sourceName, string dataDirectory)
    {
        var errors = new ConfigErrorList(sourceName);
        var root = ReadRoot(yaml, errors);
        if (root is null)
        {
            errors.ThrowIfAny();
            throw new InvalidOperationException("unreachable: a missing root always records an error");
        }

        var mapper = new ConfigMapper(errors, Path.GetFullPath(dataDirectory));
        var options = mapper.Map(root);
        errors.ThrowIfAny();
        return new ServeConfig(options, mapper.Management) { Nvme = mapper.Nvme };
    }

    private static YamlMappingNode? ReadRoot(string yaml, ConfigErrorList errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.Add((int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {YamlReason(e)}");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            errors.Add(1, 1, "the config is empty: it needs at least 'portals' and 'targets'");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(stream.Documents[1].RootNode, "the config must be a single YAML document");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(stream.Documents[0].RootNode, "the config must be a mapping with keys such as 'portals' and 'targets'");
            return null;
        }

        return root;
    }

    /// <summary>YamlDotNet prefixes its messages with the positions we already report.</summary>
    private static string YamlReason(YamlException e)
    {
        var reason = PositionPrefix().Replace(e.Message, string.Empty);
        if (e.InnerException is { } inner && reason.Length == 0)
        {
            reason = inner.Message;
        }

        return reason.Length > 0 ? char.ToLowerInvariant(reason[0]) + reason[1..] : "syntax error";
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    private static string ReadDefaultYaml()
    {
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"embedded resource {DefaultResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>Everything one config file says: the target's options and the management API's.</summary>
public sealed record ServeConfig(TargetServerOptions Target, ManagementOptions Management)
{
    /// <summary>NVMe/TCP beside iSCSI (the `nvme:` section; on the loopback portals by default).</summary>
    public NvmeSettings Nvme { get; init; } = new();
}
