using System.Buffers.Binary;

namespace Storlane.Iscsi.Pdu;

/// <summary>Fields of Login, Logout, Task Management, SCSI Response, Reject and Async PDUs.</summary>
public readonly ref partial struct Bhs
{
    /// <summary>Login: T (transit) bit, RFC 7143 11.12.1.</summary>
    public bool Transit
    {
        get => (_b[1] & 0x80) != 0;
        set => _b[1] = (byte)(value ? _b[1] | 0x80 : _b[1] & ~0x80);
    }

    /// <summary>Login and Text: C (continue) bit, the text continues in the next PDU.</summary>
    public bool Continue
    {
        get => (_b[1] & 0x40) != 0;
        set => _b[1] = (byte)(value ? _b[1] | 0x40 : _b[1] & ~0x40);
    }

    public LoginStage CurrentStage
    {
        get => (LoginStage)((_b[1] >> 2) & 0x3);
        set => _b[1] = (byte)((_b[1] & ~0x0c) | (((byte)value & 0x3) << 2));
    }

    public LoginStage NextStage
    {
        get => (LoginStage)(_b[1] & 0x3);
        set => _b[1] = (byte)((_b[1] & ~0x03) | ((byte)value & 0x3));
    }

    public byte VersionMax
    {
        get => _b[2];
        set => _b[2] = value;
    }

    /// <summary>Version-min in a request, Version-active in a response.</summary>
    public byte VersionMinOrActive
    {
        get => _b[3];
        set => _b[3] = value;
    }

    /// <summary>Initiator part of the session id (6 bytes, RFC 7143 11.12.5).</summary>
    public ulong Isid
    {
        get => BinaryPrimitives.ReadUInt64BigEndian(_b[8..]) >> 16;
        set
        {
            var tsih = Tsih;
            BinaryPrimitives.WriteUInt64BigEndian(_b[8..], (value << 16) | tsih);
        }
    }

    public ushort Tsih
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_b[14..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_b[14..], value);
    }

    /// <summary>Login response Status-Class and Status-Detail (bytes 36-37).</summary>
    public LoginStatus LoginStatus
    {
        get => (LoginStatus)BinaryPrimitives.ReadUInt16BigEndian(_b[36..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_b[36..], (ushort)value);
    }

    /// <summary>Logout request reason (byte 1, low 7 bits).</summary>
    public LogoutReason LogoutReason => (LogoutReason)(_b[1] & 0x7f);

    /// <summary>Task management request function (byte 1, low 7 bits).</summary>
    public TaskManagementFunction TaskManagementFunction
    {
        get => (TaskManagementFunction)(_b[1] & 0x7f);
        set => _b[1] = (byte)(0x80 | ((byte)value & 0x7f));
    }

    /// <summary>Logout response Time2Wait (bytes 40-41).</summary>
    public ushort Time2Wait
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_b[40..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_b[40..], value);
    }

    /// <summary>Logout response Time2Retain (bytes 42-43).</summary>
    public ushort Time2Retain
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_b[42..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_b[42..], value);
    }

    /// <summary>SCSI Command: R (read) bit.</summary>
    public bool ReadFlag => (_b[1] & 0x40) != 0;

    /// <summary>SCSI Command: W (write) bit.</summary>
    public bool WriteFlag => (_b[1] & 0x20) != 0;

    /// <summary>SCSI Command: ATTR (task attribute, 3 bits).</summary>
    public byte TaskAttribute => (byte)(_b[1] & 0x07);

    /// <summary>Async message: AsyncEvent (byte 36).</summary>
    public byte AsyncEvent
    {
        get => _b[36];
        set => _b[36] = value;
    }

    /// <summary>Async message Parameter1..3 (bytes 38-43).</summary>
    public void SetAsyncParameters(ushort parameter1, ushort parameter2, ushort parameter3)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_b[38..], parameter1);
        BinaryPrimitives.WriteUInt16BigEndian(_b[40..], parameter2);
        BinaryPrimitives.WriteUInt16BigEndian(_b[42..], parameter3);
    }
}
