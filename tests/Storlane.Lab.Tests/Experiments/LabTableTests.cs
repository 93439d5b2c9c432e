using Storlane.Lab.Reporting;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>The shared table: same cells on the console and in HTML, text encoded, notes after.</summary>
public sealed class LabTableTests
{
    private static readonly LabTable Table = new("Title <1>", ["Name", "Value"], [["a & b", "1.00"], ["c", "n/a"]], ["note <x>"]);

    [Fact]
    public void Html_EncodesEveryCell_AndMarksTextColumns()
    {
        var html = Table.Html();

        Assert.Contains("<h2>Title &lt;1&gt;</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<td class='t'>a &amp; b</td><td>1.00</td>", html, StringComparison.Ordinal);
        Assert.Contains("<p class='note'>note &lt;x&gt;</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_MarksTextAfterTheLastNumberColumn_AndBreaksCellLines()
    {
        var table = new LabTable("t", ["What", "A", "B", "Verdict"], [["x\ny", "1", "2", "B faster"]], []) { FirstNumberColumn = 1, LastNumberColumn = 2 };

        Assert.Contains("<td class='t'>x<br>y</td><td>1</td><td>2</td><td class='t'>B faster</td>", table.Html(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WritesTitleCellsAndNotes_WithoutMarkupErrors()
    {
        var capture = new ConsoleCapture();

        Table.Render(capture.Console);

        Assert.Contains("Title <1>", capture.Text, StringComparison.Ordinal);
        Assert.Contains("a & b", capture.Text, StringComparison.Ordinal);
        Assert.Contains("note <x>", capture.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "n/a")]
    [InlineData(1.004, "1.00")]
    [InlineData(-2.5, "-2.50")]
    public void Numbers_AreInvariant_AndNaNIsNotAvailable(double value, string text)
    {
        Assert.Equal(text, Cells.Number(value));
    }

    [Theory]
    [InlineData(0.5, "0.5000")]
    [InlineData(0.00001, "<0.0001")]
    [InlineData(double.NaN, "n/a")]
    public void PValues_HaveFourDecimals(double p, string text)
    {
        Assert.Equal(text, Cells.PValue(p));
    }

    [Fact]
    public void Signed_ShowsThePlus()
    {
        Assert.Equal("+3.10", Cells.Signed(3.1));
        Assert.Equal("0.00", Cells.Signed(0));
    }
}
