using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>A unit attention the reservation state asks for: which registrant, which condition (SPC-4 5.12.11).</summary>
internal readonly record struct ReservationNotice(Registrant Registrant, AdditionalSense Sense);
