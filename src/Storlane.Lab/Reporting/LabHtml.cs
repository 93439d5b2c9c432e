using System.Globalization;
using System.Net;
using System.Text;

namespace Storlane.Lab.Reporting;

/// <summary>
/// The frame of every lab report page: one self-contained HTML file (inline CSS and SVG, no scripts,
/// no network) that states the experiment, the kind of links and how it was run, then its sections.
/// </summary>
public static class LabHtml
{
    public static string Page(LabReportHeader header, string title, IEnumerable<string> sections)
    {
        var html = new StringBuilder("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>")
            .Append(Encode(title)).Append("</title><style>")
            .Append("body{font-family:sans-serif;margin:1.5em;color:#222;max-width:80em}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em}")
            .Append("table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.t{text-align:left}th{background:#f3f3f3}th:first-child{text-align:left}")
            .Append(".note{color:#555;font-size:.9em;margin:.2em 0}figure{display:inline-block;margin:0 1em 1em 0}dt{font-weight:bold;float:left;width:9em}dd{margin-left:9.5em}")
            .Append("</style></head><body><h1>").Append(Encode(title)).Append("</h1><dl>");
        Item(html, "Links", $"{header.LinkDescription} ({header.LinkMode})");
        Item(html, "Link rate", (header.LinkBitsPerSecond / 1e9).ToString("0.###", CultureInfo.InvariantCulture) + " Gbit/s per link");
        Item(html, "Runs", string.Create(CultureInfo.InvariantCulture, $"{header.Repeat} per test, {header.DurationSeconds:0.###} s each{(header.Short ? " (short mode)" : "")}"));
        Item(html, "Command", header.CommandLine);
        Item(html, "Machine", string.Create(CultureInfo.InvariantCulture, $"{header.Machine.HostName}: {header.Machine.OperatingSystem}, {header.Machine.ProcessorCount} x {header.Machine.ProcessorModel ?? header.Machine.Architecture}, {header.Machine.Runtime}"));
        Item(html, "Storlane", string.Create(CultureInfo.InvariantCulture, $"{header.StorlaneVersion}, {header.CreatedUtc:u}"));
        html.Append("</dl>");
        foreach (var section in sections)
        {
            html.Append(section);
        }

        return html.Append("</body></html>").ToString();
    }

    /// <summary>A link to a file next to the report (the bench's own JSON and HTML).</summary>
    public static string Link(string relativePath, string text) =>
        "<a href='" + Encode(Uri.EscapeDataString(relativePath)) + "'>" + Encode(text) + "</a>";

    public static string Paragraph(string text) => "<p>" + Encode(text) + "</p>";

    /// <summary>A paragraph whose parts are already HTML (links) or text to encode.</summary>
    public static string ParagraphHtml(string innerHtml) => "<p>" + innerHtml + "</p>";

    public static string Figure(string svg) => "<figure>" + svg + "</figure>";

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static void Item(StringBuilder html, string term, string value) =>
        html.Append("<dt>").Append(Encode(term)).Append("</dt><dd>").Append(Encode(value)).Append("</dd>");
}
