using System.Net;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;
using Fumidai.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Gateway.Tests.InProcess;

/// <summary>
/// The whole gateway in one process: the bastion's own SSH server, operator connections and sessions, the real audit
/// log and recording pipeline, over in-memory stores, an in-memory link to a <see cref="FakeTarget"/>, and a clock the
/// test may control. No sshd, no sockets.
/// </summary>
public sealed class GatewayRig : IAsyncDisposable
{
    public const string TargetName = "web01";
    public const string Login = "deploy";
    private readonly TempDirectory _directory = new("fumidai-rig");
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _cut = new();
    private readonly SshServer _bastion;
    private readonly List<SshClient> _operators = [];
    private readonly List<InMemoryDuplexStream> _operatorStreams = [];

    public GatewayRig(TimeProvider? time = null, TimeSpan? idleTimeout = null, TimeSpan? maxSession = null)
    {
        Time = time ?? TimeProvider.System;
        Audit = new AuditLog(Metadata);
        Dialer = new InProcessDialer(Target);
        Recordings = new TestRecordings(_directory.Path, Audit);
        Metadata.AddUser(new UserRecord("alice", ["ops"], false, null, null, DateTimeOffset.UtcNow));
        Metadata.AddTarget(new TargetRecord(TargetName, "web01.test", 22, [Login], [Dialer.HostKey], null, DateTimeOffset.UtcNow));
        Metadata.AddRole(new AccessRole("ops", ["web*"], [Login], [ChannelKinds.Shell, ChannelKinds.Exec], null, null));
        Context = new BastionContext
        {
            Credentials = Metadata,
            Access = Metadata,
            SessionLog = Metadata,
            Commands = Metadata,
            Revocations = Metadata,
            Audit = Audit,
            Dialer = Dialer,
            Recordings = Recordings,
            IdleTimeout = idleTimeout ?? TimeSpan.FromMinutes(15),
            MaxSession = maxSession,
            Logger = NullLogger.Instance,
            Time = Time,
            Draining = _draining.Token,
            Cut = _cut.Token,
            DrainTimeout = TimeSpan.FromSeconds(30),
        };
        _bastion = new SshServer(new SshServerOptions { HostKeys = [SshPrivateKey.Generate(SshKeyTypes.Ed25519)] }, new RigApplication(this));
    }

    public TimeProvider Time { get; }

    public MemoryMetadata Metadata { get; } = new();

    public AuditLog Audit { get; }

    public FakeTarget Target { get; } = new();

    public InProcessDialer Dialer { get; }

    public TestRecordings Recordings { get; }

    public BastionContext Context { get; }

    /// <summary>Connects an operator as <paramref name="loginName"/> (already past both factors: authentication is tested on its own).</summary>
    public async Task<SshClient> ConnectAsync(string loginName = "alice:" + TargetName)
    {
        var (client, server) = InMemoryDuplexStream.CreatePair(256 * 1024);
        lock (_operatorStreams) _operatorStreams.Add(client);
        _ = _bastion.ServeAsync(server, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50000));
        var connected = await SshClient.ConnectAsync(client, new SshClientOptions
        {
            Host = "bastion.test",
            Credentials = new ClientCredentials(loginName) { Password = "operator-password" },
            HostKeyVerifier = (_, _) => ValueTask.CompletedTask,
            KeepaliveInterval = TimeSpan.Zero,
        });
        lock (_operators) _operators.Add(connected);
        return connected;
    }

    /// <summary>Cuts every operator's link at once, as a killed client or a lost network does (no close, no EOF).</summary>
    public void DropOperators()
    {
        lock (_operatorStreams)
        {
            foreach (var stream in _operatorStreams) stream.Dispose();
        }
    }

    public void StartDrain() => _draining.Cancel();

    public void CutSessions() => _cut.Cancel();

    /// <summary>The one session row, once it has ended (bounded wait).</summary>
    public async Task<SessionRecord> EndedSessionAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(10);
        var deadline = DateTime.UtcNow + wait;
        for (int i = 0; i < wait.TotalMilliseconds / 10 && DateTime.UtcNow < deadline; i++)
        {
            var sessions = Metadata.Sessions;
            if (sessions.Count == 1 && sessions[0].Status != SessionStatus.Running
                && Metadata.Audit.Any(e => e.Type == AuditTypes.SessionEnd)) return sessions[0];
            await Task.Delay(10);
        }
        throw new TimeoutException($"no ended session; rows: {string.Join(", ", Metadata.Sessions.Select(s => $"{s.Id} {s.Status} {s.EndReason}"))}");
    }

    /// <summary>Waits (bounded) until a session is relaying, and returns its live handle.</summary>
    public async Task<LiveSession> LiveSessionAsync()
    {
        for (int i = 0; i < 500; i++)
        {
            if (Context.Sessions.LiveSessions is [var live]) return live;
            await Task.Delay(10);
        }
        throw new TimeoutException("no live session");
    }

    /// <summary>The audit event of the given type for the session, with its details.</summary>
    public AuditEvent AuditOf(string type, string sessionId) =>
        Metadata.Audit.Single(e => e.Type == type && e.Details.TryGetValue("session", out var s) && s == sessionId);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _operators)
        {
            try
            {
                await client.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
            }
        }
        await _bastion.DisposeAsync();
        await Dialer.DisposeAsync();
        await Recordings.DisposeAsync();
        _draining.Dispose();
        _cut.Dispose();
        _directory.Dispose();
    }

    /// <summary>Accepts the rig's operators by name, as if both factors had passed; the channel handler is the real one.</summary>
    private sealed class RigApplication(GatewayRig rig) : ISshServerApplication
    {
        public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
            CancellationToken cancellationToken)
        {
            if (attempt is not PasswordAttempt || !LoginName.TryParse(attempt.UserName, out var name)
                || await rig.Metadata.GetUserAsync(name!.User, cancellationToken) is not { } user)
                return AuthenticationDecision.Failure(AuthenticationMethods.Password);
            context.State = new BastionLogin(user, name, AuthenticationMethods.Password, null);
            return AuthenticationDecision.Success;
        }

        public IChannelOpenHandler CreateChannelHandler(SshServerSession session) => new OperatorConnection(rig.Context, session);
    }
}
