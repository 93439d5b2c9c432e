using System.Text.Json;
using System.Text.Json.Serialization;

namespace Storlane.Lab.Reporting;

/// <summary>Writes a lab report as <c>report.json</c> (camelCase, enums as strings, NaN for not measured) and <c>report.html</c>.</summary>
public static class LabReportFiles
{
    public const string JsonName = "report.json";
    public const string HtmlName = "report.html";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Json<T>(T report) => JsonSerializer.Serialize(report, Options);

    public static T? ReadJson<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>Writes both files into <paramref name="directory"/>; returns the HTML file's full path.</summary>
    public static async Task<string> WriteAsync<T>(string directory, T report, string html, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, JsonName), Json(report), cancellationToken);
        var htmlPath = Path.GetFullPath(Path.Combine(directory, HtmlName));
        await File.WriteAllTextAsync(htmlPath, html, cancellationToken);
        return htmlPath;
    }
}
