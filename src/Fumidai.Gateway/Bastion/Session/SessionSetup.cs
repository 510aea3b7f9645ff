using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection.Requests;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>What the operator asked for before the session started (pty, environment, size), and the target session once it runs.</summary>
/// <remarks>Window changes arrive on the connection's dispatch while the relay runs elsewhere: size and target are read under a lock.</remarks>
internal sealed class SessionSetup
{
    public const int MaxEnvironment = 32;
    private readonly object _lock = new();
    private readonly List<EnvRequest> _environment = [];
    private (uint Columns, uint Rows) _size = (80, 24);
    private SshClientSession? _target;

    public PtyRequest? Pty { get; private set; }

    public IReadOnlyList<EnvRequest> Environment => _environment;

    /// <summary>What the operator typed after the menu choice, before the target's shell was there: sent to it first.</summary>
    public List<byte> TypedAhead { get; } = [];

    public (uint Columns, uint Rows) Size
    {
        get
        {
            lock (_lock) return _size;
        }
    }

    /// <summary>The running target session (null before it starts and after it ends).</summary>
    public SshClientSession? Target
    {
        get
        {
            lock (_lock) return _target;
        }
        set
        {
            lock (_lock) _target = value;
        }
    }

    public void SetPty(PtyRequest pty)
    {
        Pty = pty;
        // A client without a real terminal (ssh -tt from a pipe) reports 0x0; recordings need a usable size.
        lock (_lock) _size = (pty.Columns == 0 ? 80 : pty.Columns, pty.Rows == 0 ? 24 : pty.Rows);
    }

    public bool AddEnvironment(EnvRequest env)
    {
        if (_environment.Count >= MaxEnvironment) return false;
        _environment.Add(env);
        return true;
    }

    /// <summary>Records the new size; returns the target session to pass it on to, if one runs.</summary>
    public SshClientSession? Resize(uint columns, uint rows)
    {
        lock (_lock)
        {
            _size = (columns, rows);
            return _target;
        }
    }

    /// <summary>Asks the target session for the same pty and environment, then starts the same kind of session.</summary>
    public async Task StartOnAsync(SshClientSession session, string kind, string? command, CancellationToken cancellationToken)
    {
        if (Pty is { } pty)
        {
            var (columns, rows) = Size;
            await session.RequestPtyAsync(pty.Term, columns, rows, pty.Modes, pty.WidthPixels, pty.HeightPixels, cancellationToken).ConfigureAwait(false);
        }
        foreach (var env in _environment) await session.SetEnvironmentAsync(env.Name, env.Value, cancellationToken).ConfigureAwait(false);
        switch (kind)
        {
            case Policy.ChannelKinds.Shell:
                await session.ShellAsync(cancellationToken).ConfigureAwait(false);
                break;
            case Policy.ChannelKinds.Sftp:
                await session.SubsystemAsync("sftp", cancellationToken).ConfigureAwait(false);
                break;
            default:
                await session.ExecAsync(command!, cancellationToken).ConfigureAwait(false);
                break;
        }
    }
}
