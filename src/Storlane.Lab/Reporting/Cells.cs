using System.Globalization;
using Storlane.Bench.Statistics;

namespace Storlane.Lab.Reporting;

/// <summary>How the lab's tables write numbers: invariant culture, "n/a" for what was not measured.</summary>
public static class Cells
{
    public static string Number(double value, string format = "0.00") =>
        double.IsNaN(value) || double.IsInfinity(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string Signed(double value, string format = "0.00") => Number(value, "+" + format + ";-" + format + ";" + format);

    public static string PValue(double p) => double.IsNaN(p) ? "n/a" : p < 0.0001 ? "<0.0001" : p.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Interval(double low, double high) =>
        double.IsNaN(low) || double.IsNaN(high) ? "n/a" : "[" + Number(low) + ", " + Number(high) + "]";

    public static string Verdict(Verdict verdict) => verdict switch
    {
        Bench.Statistics.Verdict.Significant => "significant",
        Bench.Statistics.Verdict.NotSignificant => "not significant",
        Bench.Statistics.Verdict.CannotBeSignificant => "too few runs to tell",
        _ => "n/a (1 run)",
    };
}
