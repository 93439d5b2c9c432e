using System.Text.Json;
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

    /// <summary>Reads a result file; refuses files of another schema with a message that says which.</summary>
    public static async Task<BenchReport> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        BenchReport? report;
        try
        {
            report = await JsonSerializer.DeserializeAsync<BenchReport>(stream, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a storlane bench result ({ex.Message})", ex);
        }

        if (report is null || report.Schema != BenchReport.CurrentSchema)
        {
            throw new InvalidDataException($"{path}: schema '{report?.Schema}' is not '{BenchReport.CurrentSchema}'");
        }

        return report;
    }
}
