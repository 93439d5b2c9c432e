using System.Globalization;
using System.Text;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// The stored form of a <see cref="ReservationBook"/>: small UTF-8 text, one record a line, the same
/// for an APTPL file beside an image and for a RADOS object shared by gateways (an APTPL file written
/// before gateways existed reads unchanged). Lines: <c>generation N</c>;
/// <c>registrant KEY RELPORT ALLTGPT NAME</c>; <c>reservation TYPE KEY RELPORT NAME</c>; <c>aptpl 0</c>
/// (absent: 1, as any file written for APTPL = 1); <c>legacy RELPORT NEXUSID GATEWAY NAME</c> (an SPC-2
/// reservation); <c>swp 1</c> (absent: 0; SWP of the Control mode page); <c>medium 0</c> (absent: 1,
/// loaded; the removable medium is unloaded); <c>prevent RELPORT NEXUSID GATEWAY NAME</c> (an I_T nexus
/// preventing medium removal, SBC-3 5.11);
/// <c>notice SEQ ASCQ ABORT RELPORT ALLTGPT NAME</c> (a registrant's unit attention);
/// <c>unitnotice SEQ ASCQ GATEWAY</c> (the logical unit's, for every nexus of the other gateways). Keys and sense codes in hexadecimal;
/// names last (initiator port names hold no spaces, neither do gateway names).
/// </summary>
internal static class ReservationCodec
{
    private const string Header = "# storlane persistent reservations v1";

    public static byte[] Encode(ReservationBook book)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"generation {book.Generation}\n");
        foreach (var r in book.Registrants)
        {
            text.Append(CultureInfo.InvariantCulture, $"registrant {r.Key:X16} {r.RelativeTargetPortId} {(r.AllTargetPorts ? 1 : 0)} {r.InitiatorPortName}\n");
        }

        if (book.Holder is { } holder)
        {
            text.Append(CultureInfo.InvariantCulture, $"reservation {(byte)book.Type} {holder.Key:X16} {holder.RelativeTargetPortId} {holder.InitiatorPortName}\n");
        }

        if (!book.Aptpl)
        {
            text.Append("aptpl 0\n");
        }

        if (book.Legacy is { } legacy)
        {
            text.Append(CultureInfo.InvariantCulture, $"legacy {legacy.RelativeTargetPortId} {legacy.NexusId} {legacy.Gateway} {legacy.InitiatorPortName}\n");
        }

        if (book.SoftwareWriteProtect)
        {
            text.Append("swp 1\n");
        }

        if (book.MediumRemoved)
        {
            text.Append("medium 0\n");
        }

        foreach (var p in book.Preventions)
        {
            text.Append(CultureInfo.InvariantCulture, $"prevent {p.RelativeTargetPortId} {p.NexusId} {p.Gateway} {p.InitiatorPortName}\n");
        }

        foreach (var n in book.Notices)
        {
            if (n.Origin is { } origin)
            {
                text.Append(CultureInfo.InvariantCulture, $"unitnotice {n.Sequence} {(ushort)n.Sense:X4} {origin}\n");
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"notice {n.Sequence} {(ushort)n.Sense:X4} {(n.Abort ? 1 : 0)} {n.RelativeTargetPortId} {(n.AllTargetPorts ? 1 : 0)} {n.InitiatorPortName}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The book stored in <paramref name="content"/>; empty content is the empty book.</summary>
    /// <exception cref="InvalidDataException">The content is not in this format.</exception>
    public static ReservationBook Decode(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return ReservationBook.Empty;
        }

        uint generation = 0;
        var aptpl = true;
        var softwareWriteProtect = false;
        var mediumRemoved = false;
        var preventions = new List<MediumPrevention>();
        var registrants = new List<Registrant>();
        var notices = new List<SharedNotice>();
        Registrant? holder = null;
        LegacyHolder? legacy = null;
        var type = PersistentReservationType.WriteExclusive;
        foreach (var raw in Encoding.UTF8.GetString(content).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            try
            {
                var kind = line[..Math.Max(0, line.IndexOf(' ', StringComparison.Ordinal))];
                var fields = line.Split(' ', kind switch { "registrant" or "reservation" or "legacy" or "prevent" => 5, "notice" => 7, "unitnotice" => 4, _ => 2 }, StringSplitOptions.RemoveEmptyEntries);
                switch (kind)
                {
                    case "generation" when fields.Length == 2:
                        generation = uint.Parse(fields[1], CultureInfo.InvariantCulture);
                        break;
                    case "aptpl" when fields.Length == 2:
                        aptpl = fields[1] == "1";
                        break;
                    case "swp" when fields.Length == 2:
                        softwareWriteProtect = fields[1] == "1";
                        break;
                    case "medium" when fields.Length == 2:
                        mediumRemoved = fields[1] == "0";
                        break;
                    case "prevent" when fields.Length == 5:
                        preventions.Add(new MediumPrevention(fields[3], long.Parse(fields[2], CultureInfo.InvariantCulture), fields[4], ushort.Parse(fields[1], CultureInfo.InvariantCulture)));
                        break;
                    case "unitnotice" when fields.Length == 4:
                        notices.Add(new SharedNotice(
                            long.Parse(fields[1], CultureInfo.InvariantCulture),
                            (AdditionalSense)ushort.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                            Abort: false,
                            InitiatorPortName: "",
                            RelativeTargetPortId: 0,
                            AllTargetPorts: true,
                            fields[3]));
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
                    case "legacy" when fields.Length == 5:
                        legacy = new LegacyHolder(fields[3], long.Parse(fields[2], CultureInfo.InvariantCulture), fields[4], ushort.Parse(fields[1], CultureInfo.InvariantCulture));
                        break;
                    case "notice" when fields.Length == 7:
                        notices.Add(new SharedNotice(
                            long.Parse(fields[1], CultureInfo.InvariantCulture),
                            (AdditionalSense)ushort.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                            fields[3] == "1",
                            fields[6],
                            ushort.Parse(fields[4], CultureInfo.InvariantCulture),
                            fields[5] == "1"));
                        break;
                    default:
                        throw new InvalidDataException($"unexpected line '{line}'");
                }
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"unreadable line '{line}'", e);
            }
            catch (OverflowException e)
            {
                throw new InvalidDataException($"unreadable line '{line}'", e);
            }
        }

        return ReservationBook.Restore(generation, registrants, holder, type, aptpl, legacy, softwareWriteProtect, notices, mediumRemoved, preventions);
    }
}
