using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Storlane.Bench.Reporting;

/// <summary>Writes and reads result files (camelCase JSON, enums as strings).</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(BenchReport report, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Options, cancellationToken).ConfigureAwait(false);
    }

    public static string Serialize(BenchReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>
    /// Reads a result file of the current schema or of version 1 (upgraded as it is read); refuses
    /// files of another schema with a message that says which.
    /// </summary>
    public static async Task<BenchReport> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        BenchReport? report;
        try
        {
            var node = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var schema = node is JsonObject root && root["schema"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (schema == SchemaUpgrade.Version1)
            {
                SchemaUpgrade.FromVersion1((JsonObject)node!);
            }
            else if (schema != BenchReport.CurrentSchema)
            {
                throw new InvalidDataException($"{path}: schema '{schema}' is not '{BenchReport.CurrentSchema}' (or '{SchemaUpgrade.Version1}')");
            }

            report = node.Deserialize<BenchReport>(Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a storlane bench result ({ex.Message})", ex);
        }

        return report ?? throw new InvalidDataException($"{path}: not a storlane bench result (empty)");
    }
}
