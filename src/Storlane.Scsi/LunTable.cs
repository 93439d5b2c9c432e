namespace Storlane.Scsi;

/// <summary>
/// An immutable LUN map: an array indexed by LUN (LUNs are small and dense in practice, and at most
/// 16383) plus the units sorted by LUN for REPORT LUNS. Replaced as a whole on every change.
/// </summary>
internal sealed class LunTable
{
    public static readonly LunTable Empty = new([], []);

    private readonly LogicalUnit?[] _byLun;

    private LunTable(LogicalUnit?[] byLun, LogicalUnit[] sorted)
    {
        _byLun = byLun;
        Sorted = sorted;
    }

    public IReadOnlyList<LogicalUnit> Sorted { get; }

    public LogicalUnit? Find(ulong lun) => lun < (ulong)_byLun.Length ? _byLun[lun] : null;

    public LunTable With(LogicalUnit unit)
    {
        var byLun = new LogicalUnit?[Math.Max(_byLun.Length, (int)unit.Lun + 1)];
        _byLun.CopyTo(byLun, 0);
        byLun[unit.Lun] = unit;
        return new LunTable(byLun, Collect(byLun));
    }

    public LunTable Without(ulong lun)
    {
        var byLun = (LogicalUnit?[])_byLun.Clone();
        byLun[lun] = null;
        return new LunTable(byLun, Collect(byLun));
    }

    private static LogicalUnit[] Collect(LogicalUnit?[] byLun)
    {
        var sorted = new List<LogicalUnit>();
        foreach (var unit in byLun)
        {
            if (unit is not null)
            {
                sorted.Add(unit);
            }
        }

        return [.. sorted];
    }
}
