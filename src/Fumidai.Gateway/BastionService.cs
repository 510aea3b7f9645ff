using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Audit.Export;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Gateway.Recordings;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Server;
using Fumidai.Ssh.Transport;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway;

/// <summary><c>fumidai serve</c>: checks the recording store, recovers interrupted sessions, listens for operators, drains on shutdown.</summary>
public sealed class BastionService
{
    private readonly DataDirectory _data;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly LiveScreens _liveScreens;
    private readonly SessionRegistry _sessions;

    /// <param name="liveScreens">Shared with the console of the same process, which streams them; a private set when none is given.</param>
    /// <param name="sessions">Shared with the cluster listener of the same process, which ends them for other nodes' consoles.</param>
    public BastionService(DataDirectory data, ILoggerFactory loggers, LiveScreens? liveScreens = null, SessionRegistry? sessions = null)
    {
        _data = data;
        _liveScreens = liveScreens ?? new LiveScreens();
        _sessions = sessions ?? new SessionRegistry();
        _loggers = loggers;
        _logger = loggers.CreateLogger("fumidai");
    }

    /// <summary>How long the uploads of the last chunks and manifests may take once sessions are done; the spool keeps the rest.</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The uploads' time when a second stop request cut the sessions.</summary>
    public TimeSpan HurriedUploadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>What <c>/healthz</c> reports for this node: ready once listening, draining from the first stop request.</summary>
    public NodeHealth Health { get; init; } = new();

    /// <summary>How long the audit shipping stays with a node that stopped renewing it (it renews every second while it runs).</summary>
    public static readonly TimeSpan AuditShippingLease = TimeSpan.FromSeconds(15);

    /// <summary>How often the store is asked whether access was revoked (well inside the 5 s an admin may expect).</summary>
    public TimeSpan RevocationInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs until the first stop request, then drains (a second request cuts the sessions at once).
    /// <paramref name="started"/> receives the bound address.
    /// </summary>
    public async Task RunAsync(string? listenOverride, StopRequests requests, Action<System.Net.IPEndPoint>? started = null)
    {
        var stop = requests.Drain;
        var options = _data.LoadOptions();
        string listen = listenOverride ?? options.Ssh.Listen;
        if (!ConfigurationLoader.TryParseEndPoint(listen, out var endPoint))
            throw new ConfigurationException($"--ssh-listen '{listen}' is not ADDRESS:PORT");
        var drainTimeout = Duration.Parse(options.Sessions.DrainTimeout);
        using var systemd = SystemdNotifier.FromEnvironment(_logger);
        var store = await _data.OpenStoreAsync(stop).ConfigureAwait(false);
        using var serveLock = _data.LockForServe();
        // Before any key is read: a node of a cluster presents and signs with the cluster's keys, or does not start.
        if (options.Metadata.IsPostgres && await _data.SyncClusterKeysAsync(store, _data.LoadProtector(), stop).ConfigureAwait(false) is > 0 and var taken)
            _logger.LogInformation("took {Count} of the cluster's keys from the metadata database", taken);
        string node = options.Node.Name;
        store.Node = node;
        var audit = new AuditLog(store, _loggers.CreateLogger("audit"));
        var countedAudit = new LoginCountingAuditLog(audit);
        await using var recordings = await OpenRecordingsAsync(options, audit, stop).ConfigureAwait(false);
        var nodes = new NodeMonitor(store, audit, node, Duration.Parse(options.Node.HeartbeatInterval), Duration.Parse(options.Node.DeadAfter),
            _loggers.CreateLogger("node"));
        await nodes.StartAsync(stop).ConfigureAwait(false);
        await RecoverInterruptedSessionsAsync(store, audit, recordings, node, stop).ConfigureAwait(false);
        // Only after recovery: the scanner would otherwise take this run's open audit period for a crashed one.
        await using var auditShipper = recordings.CreateAuditShipper(node);
        var auditExporter = new AuditExporter(store, auditShipper, Path.Combine(_data.SpoolPath, "audit-shipped.seq"), _loggers.CreateLogger("audit"))
        {
            Lease = options.Metadata.IsPostgres ? new ClusterLease(store, ClusterLease.AuditShipping, node, AuditShippingLease) : null,
        };
        using var exporting = new CancellationTokenSource();
        var exporterLoop = auditExporter.RunAsync(exporting.Token);
        // Syslog, stdout and alerts follow the audit table on their own tasks: a receiver that is down never holds a login.
        await using var exports = new AuditExports(options, store, audit, node, _loggers, Console.Out);
        exports.Start();
        var protector = _data.LoadProtector();
        var hostKeys = _data.LoadHostKeys();
        using var userCa = _data.LoadUserCa();
        _data.EnsureAuthorities();
        using var loginCa = _data.LoadLoginCa();
        var loginCertificates = new LoginCertificateAuthority(loginCa, store, store, store);
        using var hostCa = _data.LoadHostCa();
        var limits = new SshConnectionLimits
        {
            LoginGraceTime = Duration.Parse(options.Ssh.LoginGraceTime),
            MaxAuthAttempts = options.Ssh.MaxAuthTries,
            MaxUnauthenticatedConnections = options.Ssh.MaxUnauthenticated,
            MaxQueuedConnections = options.Ssh.MaxQueued,
        };
        var agentLogger = _loggers.CreateLogger("agent");
        var agentRegistry = new Agents.AgentRegistry(store, countedAudit, node, agentLogger)
        {
            KeepaliveInterval = Duration.Parse(options.Agents.KeepaliveInterval),
        };
        var dialer = new TargetDialer(protector, userCa, Duration.Parse(options.Targets.ConnectTimeout),
            Duration.Parse(options.Targets.CertificateLifetime), _loggers.CreateLogger("target"), options.Targets.CertificateSourceAddress)
        {
            Agents = agentRegistry,
            TcpKeepalive = Duration.Parse(options.Targets.TcpKeepalive),
            SshKeepalive = Duration.Parse(options.Targets.KeepaliveInterval),
        };
        using var draining = new CancellationTokenSource();
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(requests.Cut);
        var context = new BastionContext
        {
            Credentials = store,
            Access = store,
            SessionLog = store,
            Commands = store,
            Revocations = store,
            LoginFacts = store,
            UserStates = store,
            Audit = countedAudit,
            Dialer = dialer,
            Recordings = recordings,
            IdleTimeout = Duration.Parse(options.Sessions.IdleTimeout),
            MaxSession = options.Sessions.MaxSession is { } max ? Duration.Parse(max) : null,
            Logger = _loggers.CreateLogger("session"),
            Draining = draining.Token,
            Cut = cut.Token,
            DrainTimeout = drainTimeout,
            LoginCertificates = loginCertificates,
            ProxyJump = new Bastion.ProxyJump.ProxyJumpHost(hostCa, TransportSettings(options.Ssh), limits, _loggers.CreateLogger("proxyjump")),
            LiveScreens = _liveScreens,
            Sessions = _sessions,
        };
        var throttle = new SourceThrottle(options.Security.SourceFailureLimit, Duration.Parse(options.Security.SourceWindow));
        var agents = new Agents.AgentServices(new Agents.AgentAuthenticator(store, countedAudit, throttle, agentLogger), agentRegistry,
            new Agents.AgentHostKeyReports(store, countedAudit, agentLogger), countedAudit, agentLogger);
        var authenticator = new BastionAuthenticator(store, protector, countedAudit, throttle,
            options.Security.LockoutThreshold, Duration.Parse(options.Security.LockoutDuration), _loggers.CreateLogger("auth"))
        {
            LoginCertificates = loginCertificates,
            MachineAccounts = store,
            Approvals = options.Oidc.Enabled ? new LoginApprovals(store, Duration.Parse(options.Oidc.ApprovalLifetime), node) : null,
            ApprovalUrl = options.Web.PublicBase() + "/approve",
            LoginFacts = store,
        };
        var server = new SshServer(new SshServerOptions
        {
            EndPoint = endPoint!,
            HostKeys = hostKeys,
            Transport = TransportSettings(options.Ssh),
            Authentication = new ServerAuthenticationSettings
            {
                Banner = options.Ssh.Banner + "\r\n",
                // Only the login CA: the user CA's certificates are for targets, and would otherwise log in without a code.
                TrustedUserCaKeys = [loginCa.PublicKey],
                CertificatePrincipal = name => LoginName.TryParse(name, out var parsed) ? parsed!.User : name,
            },
            Limits = limits,
            ProxyProtocol = TrustedProxies.From(options.Ssh),
        }, new BastionApplication(new TimedAuthenticator(new StoreOutageAuthenticator(agents.Route(authenticator), _loggers.CreateLogger("auth"))), context)
        {
            Agents = agents,
        }, _loggers.CreateLogger("ssh"));
        try
        {
            server.Start();
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new ConfigurationException($"cannot listen on {endPoint}: {ex.Message}");
        }
        // Admin commands run in other processes: revocations reach this node's open connections through the store.
        using var watching = new CancellationTokenSource();
        var revocations = new RevocationWatcher(context, RevocationInterval).RunAsync(watching.Token);
        var heartbeats = nodes.RunAsync(watching.Token);
        var agentChecks = agentRegistry.RunAsync(watching.Token);
        var idpSync = Identity.Idp.LeaverSyncLoop.StartIfConfigured(options, store, countedAudit, protector, node, _loggers.CreateLogger("idp"), watching.Token);
        var bound = server.LocalEndPoint!;
        // Ready as soon as logins are taken, before the line that says so: whoever waits for that line finds health ready.
        Health.Ready(store.PingAsync);
        _logger.LogInformation("listening on {EndPoint}; host keys {Fingerprints}", bound,
            string.Join(", ", hostKeys.Select(k => $"{k.PublicKey.KeyType} {k.PublicKey.Fingerprint}")));
        await audit.RecordAsync(AuditTypes.ServiceStart, AuditOutcome.Info, details: new Dictionary<string, string> { ["listen"] = bound.ToString(), ["node"] = node },
            cancellationToken: CancellationToken.None).ConfigureAwait(false);
        using var gauges = FumidaiMetrics.Observe(new NodeGaugeSource
        {
            Node = node,
            ActiveSessions = () => context.Sessions.Count,
            PendingUploads = () => recordings.Uploader.PendingUploads,
            Spool = new SpoolStatistics(_data.SpoolPath),
        });
        started?.Invoke(bound);
        systemd.Ready($"listening on {bound}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        // The load balancer sends new connections elsewhere from now on, while sessions here may still run their course.
        Health.Draining();
        server.StopAccepting();
        await new NodeDrain(context.Sessions, _logger, systemd) { Timeout = drainTimeout }.RunAsync(draining, cut).ConfigureAwait(false);
        systemd.Status("closing: audit log and uploads");
        await watching.CancelAsync().ConfigureAwait(false);
        await revocations.ConfigureAwait(false);
        await heartbeats.ConfigureAwait(false);
        await agentChecks.ConfigureAwait(false);
        await idpSync.ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        await audit.RecordAsync(AuditTypes.ServiceStop, AuditOutcome.Info, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        // The audit period ends with the service: ship what is left, then sign its manifest; it goes up with the recordings.
        await exporting.CancelAsync().ConfigureAwait(false);
        await exporterLoop.ConfigureAwait(false);
        await auditExporter.ShipPendingAsync().ConfigureAwait(false);
        try
        {
            if (auditExporter.Lease is { } lease) await lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            _logger.LogWarning("could not hand the audit shipping over ({Error}); another node takes it when the lease expires", ex.Message);
        }
        await auditShipper.RotateAsync(AuditLogShipper.EndReasonShutdown).ConfigureAwait(false);
        await exports.DisposeAsync().ConfigureAwait(false);
        // Sessions are closed and their manifests queued: the uploads get a bounded time. Whoever asked twice wants the
        // node down: after a second request they get only a moment, and one during the wait ends it; the spool keeps the rest.
        bool hurried = requests.Cut.IsCancellationRequested;
        try
        {
            if (await recordings.DrainAsync(hurried ? HurriedUploadTimeout : UploadTimeout).WaitAsync(hurried ? CancellationToken.None : requests.Cut)
                    .ConfigureAwait(false))
                _logger.LogInformation("every recording and the audit log are in {Store}", recordings.Store.Description);
        }
        catch (OperationCanceledException) when (requests.Cut.IsCancellationRequested)
        {
            _logger.LogWarning("stop requested again: uploads not done stay in the spool {Spool} for the next start", _data.SpoolPath);
        }
        _logger.LogInformation("stopped");
    }

    /// <summary>Opens the recording store and proves it writable before anything listens; a failure stops <c>serve</c> with the cause.</summary>
    private async Task<RecordingStorage> OpenRecordingsAsync(FumidaiOptions options, IAuditLog audit, CancellationToken cancellationToken)
    {
        var objects = RecordingStores.Open(options.Recording, _data);
        try
        {
            await objects.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            (objects as IDisposable)?.Dispose();
            throw;
        }
        var signer = new SshManifestSigner(_data.LoadAuditKey());
        _logger.LogInformation("recordings go to {Store} ({Mode}); spool {Spool}; manifests signed by {KeyId}", objects.Description,
            options.Recording.Mode, _data.SpoolPath, signer.KeyId);
        return new RecordingStorage(objects, signer, _data.SpoolPath, options.Recording.IsStrict, audit, _loggers.CreateLogger("recording"),
            new ChunkingOptions { MaxChunkBytes = options.Recording.ChunkKiB * 1024, MaxChunkAge = TimeSpan.FromSeconds(options.Recording.MaxChunkAgeSeconds) })
        {
            // Made as chunks are sealed, so a recording's first viewer reads one chunk, not all of them.
            Keyframes = new KeyframeCache(_data.KeyframeCachePath),
        };
    }

    /// <summary>After a crash: finalise spooled recordings (signed, <c>interrupted</c>) and mark this node's sessions left "running"
    /// interrupted (other nodes' sessions are theirs while their heartbeat lasts).</summary>
    private async Task RecoverInterruptedSessionsAsync(MetadataStore store, AuditLog audit, RecordingStorage recordings, string node,
        CancellationToken cancellationToken)
    {
        recordings.Recover();
        foreach (var session in await store.ListRunningSessionsOfAsync(node, cancellationToken).ConfigureAwait(false))
        {
            // Recordings made before chunked storage are single files: drop a line cut by the crash so they stay playable.
            if (SessionRecordings.IsLegacy(session) && File.Exists(Path.Combine(_data.RecordingsPath, session.Recording!)))
                RecordingRepair.TrimPartialLastLine(Path.Combine(_data.RecordingsPath, session.Recording!));
            await store.EndSessionAsync(session.Id, DateTimeOffset.UtcNow, SessionEndReason.Interrupted, session.BytesIn, session.BytesOut,
                cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(AuditTypes.SessionEnd, AuditOutcome.Failure, session.User, session.Source, session.Target,
                new Dictionary<string, string> { ["session"] = session.Id, ["reason"] = SessionEndReason.Interrupted.Name }, cancellationToken).ConfigureAwait(false);
            _logger.LogWarning("session {Session} of {User} was interrupted by a crash; marked interrupted", session.Id, session.User);
        }
    }

    private static SshTransportSettings TransportSettings(SshOptions ssh) => new()
    {
        KexAlgorithms = ssh.KexAlgorithms.Count > 0 ? Known(ssh.KexAlgorithms, KeyExchangeMethods.AllNames, "Ssh:KexAlgorithms") : KeyExchangeMethods.DefaultNames,
        Ciphers = ssh.Ciphers.Count > 0 ? Known(ssh.Ciphers, CipherAlgorithms.AllNames, "Ssh:Ciphers") : CipherAlgorithms.DefaultNames,
        Macs = ssh.Macs.Count > 0 ? Known(ssh.Macs, MacAlgorithms.AllNames, "Ssh:Macs") : MacAlgorithms.DefaultNames,
        HostKeyAlgorithms = ssh.HostKeyAlgorithms.Count > 0
            ? Known(ssh.HostKeyAlgorithms, SshTransportSettings.AllHostKeyAlgorithms, "Ssh:HostKeyAlgorithms")
            : SshTransportSettings.DefaultHostKeyAlgorithms,
    };

    private static List<string> Known(List<string> configured, IReadOnlyList<string> known, string key)
    {
        var unknown = configured.Where(a => !known.Contains(a)).ToArray();
        if (unknown.Length > 0) throw new ConfigurationException($"{key}: unknown algorithm(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known)}");
        return configured;
    }
}
