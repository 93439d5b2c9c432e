using System.Globalization;
using Storlane.Iscsi.Login;
using Storlane.Scsi;
using Storlane.Target.Connections;
using Storlane.Target.Observability;
using Storlane.Target.Sessions;

namespace Storlane.Target;

/// <summary>
/// What the management API may see and do: copies of the served state (never the live objects)
/// and the one session-level action it takes, ending a session.
/// </summary>
public sealed partial class IscsiTargetServer
{
    /// <summary>The target's Meter instruments (null before the start).</summary>
    public TargetMetrics? Metrics => _context?.Metrics;

    /// <summary>Configured portals with the endpoints listening now and the connections on each.</summary>
    public IReadOnlyList<PortalView> PortalViews()
    {
        // The portal list as served now: a reload or the API may have added or removed portals since
        // the start, and BoundPortal.PortalIndex indexes this list, not the options the target began with.
        var portals = _portals?.Portals ?? Options.Portals;
        var bound = ListeningPortals;
        var open = _context?.Admission.PerPortal() ?? [];
        var views = new List<PortalView>(portals.Count);
        for (var index = 0; index < portals.Count; index++)
        {
            var portal = portals[index];
            var listening = new List<ListenerView>();
            foreach (var endpoint in bound)
            {
                if (endpoint.PortalIndex == index)
                {
                    listening.Add(new ListenerView(endpoint.Endpoint.ToString(), endpoint.Group, ConnectionsOn(open, endpoint.Endpoint)));
                }
            }

            views.Add(new PortalView(portal.Address, portal.Port, portal.Group, portal.Interface, listening));
        }

        return views;
    }

    /// <summary>Every served target and LUN as it is now (grown sizes, current ALUA states, counts).</summary>
    public IReadOnlyList<TargetView> TargetViews()
    {
        var context = _context;
        var views = new List<TargetView>();
        if (context is null)
        {
            return views;
        }

        lock (_optionsLock)
        {
            AddTargetViews(context, views);
        }

        return views;
    }

    private void AddTargetViews(ServerContext context, List<TargetView> views)
    {
        foreach (var options in Options.Targets)
        {
            if (!context.Targets.TryGetValue(options.Name, out var node))
            {
                continue;
            }

            var alua = AluaViews(node.Device);
            var luns = new List<LunView>();
            foreach (var lun in options.Luns)
            {
                if (node.Device.FindLogicalUnit(lun.Lun) is not { } unit)
                {
                    continue; // removed while serving
                }

                var geometry = unit.Device.Geometry;
                luns.Add(new LunView(
                    lun.Lun,
                    lun.Backend.ToString().ToLowerInvariant(),
                    lun.Backend switch { LunBackend.Memory => null, LunBackend.Rbd => lun.Rbd?.ToString(), _ => lun.Path },
                    unit.CapacityBytes,
                    geometry.LogicalBlockSize,
                    geometry.PhysicalBlockSize,
                    unit.IsWriteProtected,
                    lun.Encrypted,
                    unit.Serial,
                    unit.IsOffline ? OfflineAlua(alua) : alua,
                    node.Counters.TryGetValue(lun.Lun, out var counters) ? counters.View() : new LunCountersView(0, 0, 0, 0),
                    ReservationsView(unit.PersistentReservations.Cached())));
            }

            views.Add(new TargetView(options.Name, options.Alias, [.. options.AllowedInitiators], options.Chap is not null, options.MutualChap is not null, luns));
        }
    }

    private static ReservationView ReservationsView(PersistentReservationReport report)
    {
        var registrations = new List<RegistrationView>(report.Registrations.Count);
        foreach (var registration in report.Registrations)
        {
            registrations.Add(new RegistrationView(registration.InitiatorPortName, registration.Key.ToString("x16", CultureInfo.InvariantCulture), registration.HoldsReservation));
        }

        return new ReservationView(report.Generation, report.Type?.ToString(), registrations);
    }

    /// <summary>Every logged-in session, ordered by TSIH.</summary>
    public IReadOnlyList<SessionView> SessionViews()
    {
        var sessions = _context?.Sessions.Snapshot() ?? [];
        sessions.Sort((a, b) => a.Tsih.CompareTo(b.Tsih));
        var views = new List<SessionView>(sessions.Count);
        foreach (var session in sessions)
        {
            views.Add(View(session));
        }

        return views;
    }

    /// <summary>
    /// Ends a session from outside (an administrator's logout): its connection closes and its I_T
    /// nexus ends at once, as when the initiator drops the connection at ErrorRecoveryLevel 0
    /// (RFC 7143 7.1.4, 7.3.2); its tasks are aborted. Other sessions are not touched.
    /// </summary>
    /// <returns>The session as it was, or null when no session has this TSIH.</returns>
    public SessionView? EndSession(ushort tsih, string why)
    {
        if (_context?.Sessions.Find(tsih) is not { } session)
        {
            return null;
        }

        var view = View(session);
        if (session.Connection is { } connection)
        {
            connection.EndNexusNow(why);
        }
        else
        {
            _context.Sessions.Remove(session);
        }

        TargetLog.SessionEndedByManagement(_logger, tsih, session.InitiatorName, why);
        return view;
    }

    private static SessionView View(IscsiSession session)
    {
        var parameters = session.Parameters;
        var (expCmdSN, maxCmdSN) = session.Window.Snapshot();
        var connections = new List<ConnectionView>(1);
        if (session.Connection is { } connection)
        {
            connections.Add(new ConnectionView(connection.ConnectionId, connection.Remote?.ToString(), connection.Local?.ToString(), connection.PortalGroup));
        }

        return new SessionView(
            session.Tsih,
            session.Isid.ToString("x12", CultureInfo.InvariantCulture),
            session.InitiatorName,
            session.Type == SessionType.Discovery ? null : session.TargetName,
            session.Type == SessionType.Discovery ? "discovery" : "normal",
            parameters.HeaderDigest ? "CRC32C" : "None",
            parameters.DataDigest ? "CRC32C" : "None",
            parameters.InitiatorMaxRecvDataSegmentLength,
            parameters.TargetMaxRecvDataSegmentLength,
            parameters.MaxBurstLength,
            parameters.FirstBurstLength,
            parameters.InitialR2T,
            parameters.ImmediateData,
            parameters.ErrorRecoveryLevel,
            new CommandWindowView(expCmdSN, maxCmdSN, session.Window.Active),
            connections,
            new SessionCountersView(session.Counters.Commands, session.Counters.Pdus, session.Counters.DataDigestErrors, session.Counters.R2Ts));
    }

    private List<AluaView> AluaViews(ScsiTargetDevice device)
    {
        var groups = new SortedSet<ushort>();
        foreach (var portal in Options.Portals)
        {
            groups.Add(portal.Group);
        }

        var views = new List<AluaView>(groups.Count);
        foreach (var group in groups)
        {
            views.Add(new AluaView(group, AluaStateName(device.GetTargetPortGroupState(group))));
        }

        return views;
    }

    /// <summary>An offline LUN reports every group unavailable (see <see cref="ScsiTargetDevice.SetLogicalUnitOffline"/>).</summary>
    private static List<AluaView> OfflineAlua(List<AluaView> alua) =>
        alua.ConvertAll(view => view with { State = AluaStateName(TargetPortGroupState.Unavailable) });

    private static string AluaStateName(TargetPortGroupState state) => state switch
    {
        TargetPortGroupState.ActiveOptimized => "active/optimized",
        TargetPortGroupState.ActiveNonOptimized => "active/non-optimized",
        TargetPortGroupState.Standby => "standby",
        TargetPortGroupState.Unavailable => "unavailable",
        _ => state.ToString(),
    };

    private static int ConnectionsOn(List<(System.Net.EndPoint Portal, int Count)> open, System.Net.IPEndPoint endpoint)
    {
        foreach (var (portal, count) in open)
        {
            if (portal.Equals(endpoint))
            {
                return count;
            }
        }

        return 0;
    }
}
