using System.Net;
using System.Text;
using Spectre.Console;

namespace Storlane.Lab.Reporting;

/// <summary>
/// A table as plain cells, so the console and the HTML report show the same figures. Column 0 is
/// left-aligned (names), the rest right-aligned (numbers). Notes follow the table.
/// </summary>
public sealed record LabTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Notes)
{
    /// <summary>Columns before this one hold text (test or configuration names) and are left-aligned.</summary>
    public int FirstNumberColumn { get; init; } = 1;

    public void Render(IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]" + Markup.Escape(Title) + "[/]");
        for (var c = 0; c < Columns.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(Columns[c]));
            table.AddColumn(c < FirstNumberColumn ? column.LeftAligned() : column.RightAligned());
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
                html.Append(c < FirstNumberColumn ? "<td class='t'>" : "<td>").Append(Encode(row[c])).Append("</td>");
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
