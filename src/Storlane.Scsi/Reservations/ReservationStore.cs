using System.Globalization;
using System.Text;
using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// Keeps the persistent reservation state of one logical unit in a small text file when the
/// application client asked for it with APTPL = 1 (SPC-4 5.12.5: "Persist Through Power Loss").
/// The file is replaced atomically and durably (<see cref="DurableFile"/>); APTPL = 0
/// removes it. Format, one record a line: <c>generation N</c>, <c>registrant KEY RELPORT ALLTGPT NAME</c>,
/// <c>reservation TYPE KEY RELPORT NAME</c>; keys in hexadecimal, initiator port names last (they hold
/// no spaces).
/// </summary>
internal sealed class ReservationStore(string path)
{
    private const string Header = "# storlane persistent reservations v1";

    public string Path { get; } = path;

    public void Save(ReservationSnapshot state)
    {
        if (!state.Aptpl)
        {
            DurableFile.Delete(Path);
            return;
        }

        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"generation {state.Generation}\n");
        foreach (var r in state.Registrants)
        {
            text.Append(CultureInfo.InvariantCulture, $"registrant {r.Key:X16} {r.RelativeTargetPortId} {(r.AllTargetPorts ? 1 : 0)} {r.InitiatorPortName}\n");
        }

        if (state.Holder is { } holder)
        {
            text.Append(CultureInfo.InvariantCulture, $"reservation {(byte)state.Type} {holder.Key:X16} {holder.RelativeTargetPortId} {holder.InitiatorPortName}\n");
        }

        DurableFile.Replace(Path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The saved state, or null when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is not in this format.</exception>
    public ReservationSnapshot? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        uint generation = 0;
        var registrants = new List<Registrant>();
        Registrant? holder = null;
        var type = PersistentReservationType.WriteExclusive;
        foreach (var raw in File.ReadAllLines(Path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "generation" when fields.Length == 2:
                    generation = uint.Parse(fields[1], CultureInfo.InvariantCulture);
                    break;
                case "registrant" when fields.Length == 5:
                    registrants.Add(new Registrant(fields[4], ushort.Parse(fields[2], CultureInfo.InvariantCulture), fields[3] == "1", ulong.Parse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                    break;
                case "reservation" when fields.Length == 5 && PersistentReservationTypes.IsValid(int.Parse(fields[1], CultureInfo.InvariantCulture)):
                    type = (PersistentReservationType)byte.Parse(fields[1], CultureInfo.InvariantCulture);
                    var key = ulong.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    var port = ushort.Parse(fields[3], CultureInfo.InvariantCulture);
                    holder = registrants.Find(r => r.Key == key && r.RelativeTargetPortId == port && r.InitiatorPortName == fields[4]);
                    break;
                default:
                    throw new InvalidDataException($"{Path}: unexpected line '{line}'");
            }
        }

        return new ReservationSnapshot(generation, registrants, holder, type, Aptpl: true);
    }
}
