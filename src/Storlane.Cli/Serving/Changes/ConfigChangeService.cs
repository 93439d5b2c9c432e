using System.Globalization;
using Storlane.Cli.Configuration;
using Storlane.Management;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Serving.Changes;

/// <summary>
/// The management API's one path for configuration changes: under the reload lock, edit the running
/// config's text (<see cref="ConfigEdits"/>), check the result with the config loader (the same
/// messages a bad file gets), apply it through the SIGHUP machinery (<see cref="ConfigReloader.ApplyLockedAsync"/>,
/// all or nothing), then save it to the config file with a backup (<see cref="ConfigFileSaver"/>).
/// </summary>
internal sealed class ConfigChangeService : IConfigChanges
{
    private readonly ConfigReloader _reloader;

    public ConfigChangeService(ConfigReloader reloader) => _reloader = reloader;

    public Task<ChangeResult> ApplyAsync(ConfigChange change, CancellationToken cancellationToken) =>
        _reloader.ExclusiveAsync(() => ApplyLockedAsync(change));

    private async Task<ChangeResult> ApplyLockedAsync(ConfigChange change)
    {
        var settings = _reloader.Settings;
        if (settings.ConfigPath is not { } path || _reloader.ServedYaml is not { } served)
        {
            return ChangeResult.Conflict("serve runs the built-in default config, which has no file to save a change to; start it with --config FILE to change it live");
        }

        string onDisk;
        try
        {
            onDisk = await File.ReadAllTextAsync(path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ChangeResult(ChangeStatus.Failed, $"cannot read {path}: {e.Message}");
        }

        if (onDisk != served)
        {
            // Saving over it would lose the administrator's edit; SIGHUP first makes it the running config.
            return ChangeResult.Conflict($"{path} was edited since serve read it; reload it first (kill -HUP {Environment.ProcessId}, or systemctl reload) so that edit is not lost");
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(served));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var edit = ConfigEdits.Apply(root, change);
        if (edit.Refusal is { } refusal)
        {
            return refusal;
        }

        if (!edit.Changed)
        {
            return ChangeResult.Applied(edit.Description + "; nothing to change");
        }

        var yaml = Write(stream);
        ServeConfig wanted;
        try
        {
            wanted = ConfigLoader.ParseServe(yaml, path, settings.DataDirectory);
        }
        catch (ConfigException e)
        {
            return ChangeResult.Invalid(string.Join("; ", e.Errors.Select(error => error.Message)));
        }

        var outcome = await _reloader.ApplyLockedAsync(wanted, yaml).ConfigureAwait(false);
        if (outcome.Refusals.Count > 0)
        {
            return ChangeResult.Conflict(string.Join("; ", outcome.Refusals));
        }

        try
        {
            ConfigFileSaver.Save(path, yaml, served);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ChangeResult(ChangeStatus.Failed, $"{edit.Description}, live; but saving {path} failed ({e.Message}), so a restart would serve the file's older config");
        }

        return ChangeResult.Applied($"{edit.Description}; saved to {path} (the previous file is {ConfigFileSaver.BackupPath(path)})");
    }

    private static string Write(YamlStream stream)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        stream.Save(new ImplicitDocumentMarkers(emitter), assignAnchors: false);
        return writer.ToString();
    }
}

/// <summary>Writes a document without the explicit "---" and "..." markers YamlDotNet adds, as an administrator writes a config.</summary>
internal sealed class ImplicitDocumentMarkers(IEmitter inner) : IEmitter
{
    public void Emit(YamlDotNet.Core.Events.ParsingEvent @event) => inner.Emit(@event switch
    {
        YamlDotNet.Core.Events.DocumentStart => new YamlDotNet.Core.Events.DocumentStart(null, null, isImplicit: true),
        YamlDotNet.Core.Events.DocumentEnd => new YamlDotNet.Core.Events.DocumentEnd(isImplicit: true),
        _ => @event,
    });
}
