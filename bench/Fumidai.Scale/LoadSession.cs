using System.Diagnostics;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Scale;

/// <summary>Where the load goes and as whom: the bastion's address and pinned host key, the target, the users' key and codes.</summary>
internal sealed record LoadTarget(string Host, int Port, KnownHosts KnownHosts, string Target, SshPrivateKey Key, IReadOnlyList<LoadUser> Users,
    CodeSource Codes);

/// <summary>One operator session through the bastion: publickey + TOTP login as <c>USER:TARGET</c>, then one exec with a pty.</summary>
internal sealed class LoadSession : IAsyncDisposable
{
    private readonly SshClient _client;

    private LoadSession(SshClient client, SshClientSession session, TimeSpan setup)
    {
        _client = client;
        Session = session;
        Setup = setup;
    }

    public SshClientSession Session { get; }

    /// <summary>From the TCP connect to the exec's start: what a login costs the operator.</summary>
    public TimeSpan Setup { get; }

    private static int _nextUser;

    /// <summary>Logs in as the next user with a fresh code (waiting for one when every user spent hers) and starts <paramref name="command"/>.</summary>
    public static async Task<LoadSession> OpenAsync(LoadTarget target, string command, CancellationToken cancellationToken)
    {
        var (user, code) = await NextLoginAsync(target, cancellationToken);
        var clock = Stopwatch.StartNew();
        var options = new SshClientOptions
        {
            Host = target.Host,
            Port = target.Port,
            KnownHosts = target.KnownHosts,
            ConnectTimeout = TimeSpan.FromSeconds(60),
            LoginTimeout = TimeSpan.FromSeconds(120),
            KeepaliveInterval = TimeSpan.FromMinutes(10),
            Credentials = new ClientCredentials(user + ":" + target.Target)
            {
                Keys = [target.Key],
                KeyboardInteractive = (_, _, prompts, _) => ValueTask.FromResult(prompts.Select(_ => code).ToArray()),
            },
        };
        var client = await SshClient.ConnectAsync(options, cancellationToken);
        try
        {
            var session = await client.OpenSessionAsync(cancellationToken);
            await session.RequestPtyAsync("xterm", 120, 40, cancellationToken: cancellationToken);
            await session.ExecAsync(command, cancellationToken);
            return new LoadSession(client, session, clock.Elapsed);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static async Task<(string User, string Code)> NextLoginAsync(LoadTarget target, CancellationToken cancellationToken)
    {
        // Bounded: at most one full round of users per second for two TOTP steps.
        for (int attempt = 0; attempt < target.Users.Count * 70; attempt++)
        {
            var user = target.Users[(int)((uint)Interlocked.Increment(ref _nextUser) % (uint)target.Users.Count)];
            if (target.Codes.Next(user.Name) is { } code)
                return (user.Name, code);
            if (attempt % target.Users.Count == target.Users.Count - 1)
                await Task.Delay(1000, cancellationToken);
        }
        throw new InvalidOperationException("no user has an unused TOTP code: add users (setup --users) or lower the rate");
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await _client.DisposeAsync();
    }
}
