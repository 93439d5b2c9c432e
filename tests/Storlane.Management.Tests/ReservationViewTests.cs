using System.Buffers.Binary;
using System.Net.Http.Json;
using Storlane.Initiator.Session;
using Storlane.Target.Observability;

namespace Storlane.Management.Tests;

/// <summary>
/// GET /api/v1/targets shows each LUN's persistent reservations as READ FULL STATUS would: the
/// generation, every registered initiator port with its key, and who holds which type.
/// </summary>
public sealed class ReservationViewTests
{
    private const ulong Key = 0x1234_5678_9ABC_DEF0;

    [Fact]
    public async Task ARegistrationAndAWriteExclusiveReservation_AreShownOnTheLun()
    {
        await using var host = await ApiHost.StartAsync();
        using var api = host.Client(token: null);
        var before = Assert.Single((await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets"))!.Targets).Luns[0].Reservations;
        Assert.NotNull(before);
        Assert.Empty(before.Registrations);
        Assert.Null(before.Type);

        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        Assert.True((await session.ExecuteAsync(0, PersistentReserveOut(serviceAction: 0x00, type: 0), default, Parameters(0, Key))).IsGood, "REGISTER");
        Assert.True((await session.ExecuteAsync(0, PersistentReserveOut(serviceAction: 0x01, type: 0x01), default, Parameters(Key, 0))).IsGood, "RESERVE");

        var view = Assert.Single((await api.GetFromJsonAsync<TargetsResponse>("/api/v1/targets"))!.Targets).Luns[0].Reservations!;
        Assert.Equal("WriteExclusive", view.Type);
        var registration = Assert.Single(view.Registrations);
        Assert.Equal("123456789abcdef0", registration.Key);
        Assert.True(registration.Holder);
        Assert.StartsWith(Storlane.Initiator.Session.IscsiSessionOptions.DefaultInitiatorName, registration.InitiatorPort, StringComparison.Ordinal);
        Assert.True(view.Generation > before.Generation, "REGISTER advances the generation (SPC-4 6.16.2)");
    }

    /// <summary>PERSISTENT RESERVE OUT (SPC-4 6.17.1): service action, scope 0 (LU) with the type, 24-byte parameter list.</summary>
    private static byte[] PersistentReserveOut(byte serviceAction, byte type)
    {
        var cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = serviceAction;
        cdb[2] = type;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(5), 24);
        return cdb;
    }

    /// <summary>The basic parameter list (SPC-4 6.17.3): RESERVATION KEY, SERVICE ACTION RESERVATION KEY, no flags.</summary>
    private static byte[] Parameters(ulong key, ulong serviceActionKey)
    {
        var list = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(list, key);
        BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8), serviceActionKey);
        return list;
    }
}
