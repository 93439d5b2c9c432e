using System.Net;
using System.Text;
using Spectre.Console;

namespace Storlane.Lab.Reporting;

/// <summary>
/// A table as plain cells, so the console and the HTML report show the same figures. Number
/// columns are right-aligned, text (names, verdicts) left-aligned. Notes follow the table.
/// </summary>
public sealed record LabTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Notes)
{
    /// <summary>Columns before this one hold text (test or configuration names) and are left-aligned.</summary>
    public int FirstNumberColumn { get; init; } = 1;

    /// <summary>Columns from this one on hold text again (a verdict) and are left-aligned.</summary>
    public int LastNumberColumn { get; init; } = int.MaxValue;

    private bool IsNumber(int column) => column >= FirstNumberColumn && column <= LastNumberColumn;

    public void Render(IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]" + Markup.Escape(Title) + "[/]");
        for (var c = 0; c < Columns.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(Columns[c]));
            table.AddColumn(IsNumber(c) ? column.RightAligned() : column.LeftAligned());
        }

        foreach (var row in Rows)
        {
            table.AddRow([.. row.Select(cell => Markup.Escape(cell))]);
        }

        console.Write(table);
        foreach (var note in Notes)
        {
            console.MarkupLine(Markup.Escape(note));
        }
    }

    public string Html()
    {
        var html = new StringBuilder("<h2>").Append(Encode(Title)).Append("</h2><table><tr>");
        foreach (var column in Columns)
        {
            html.Append("<th>").Append(Encode(column)).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            for (var c = 0; c < row.Count; c++)
            {
                html.Append(IsNumber(c) ? "<td>" : "<td class='t'>").Append(Encode(row[c]).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table>");
        foreach (var note in Notes)
        {
            html.Append("<p class='note'>").Append(Encode(note)).Append("</p>");
        }

        return html.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
