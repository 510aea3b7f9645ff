using System.Net;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;

namespace Fumidai.Agent;

/// <summary>
/// The agent: keeps one outbound SSH connection to each bastion node, logging in with its own key (and, until it has joined,
/// its one-time token), reports the host keys of its sshd, and serves the bastion's forward channels; reconnects with
/// jittered backoff when a connection ends.
/// </summary>
public sealed class AgentRunner(AgentOptions options)
{
    private readonly object _pinLock = new();

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; fails at once only when the state directory is unusable.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var state = AgentState.Open(options.StateDirectory);
        options.Log($"agent {options.Name}: key {state.Key.PublicKey.Fingerprint}, forwarding to {options.Forward.Host}:{options.Forward.Port}");
        await Task.WhenAll(options.Bastions.Select(b => Task.Run(() => KeepConnectedAsync(state, b, cancellationToken), CancellationToken.None)))
            .ConfigureAwait(false);
    }

    private async Task KeepConnectedAsync(AgentState state, DnsEndPoint bastion, CancellationToken cancellationToken)
    {
        string where = $"{bastion.Host}:{bastion.Port}";
        var backoff = TimeSpan.FromSeconds(1);
        string? lastProblem = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            string problem;
            try
            {
                await using var client = await ConnectAsync(state, bastion, cancellationToken).ConfigureAwait(false);
                client.Connection.OpenHandler = new ForwardHandler(options.Forward, options.Log);
                await SendHelloAsync(client, cancellationToken).ConfigureAwait(false);
                options.Log($"connected to {where} as {options.Name}");
                backoff = TimeSpan.FromSeconds(1);
                lastProblem = null;
                try
                {
                    await client.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                    problem = $"disconnected from {where}: the bastion closed the connection";
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    problem = $"disconnected from {where}: {ex.Message}";
                }
                if (cancellationToken.IsCancellationRequested) break;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ClientAuthenticationException)
            {
                problem = $"refused by {where}: wrong, used or expired token, or this agent's key was revoked or replaced";
            }
            catch (SshHostKeyException ex)
            {
                problem = $"host key of {where} not trusted: {ex.Message}";
            }
            catch (Exception ex) when (ex is SshConnectException or IOException or SshProtocolException or SshConnectionLostException
                or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                problem = $"cannot connect to {where}: {ex.Message}";
            }
            // Jitter spreads the agents of a whole fleet that lost the same node, so they do not all return in the same second.
            var wait = backoff * (0.5 + Random.Shared.NextDouble() / 2);
            if (problem != lastProblem) options.Log($"{problem}; retrying (backoff up to {options.MaxBackoff.TotalSeconds:0} s)");
            lastProblem = problem;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
            try
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        options.Log($"stopped connecting to {where}");
    }

    private Task<SshClient> ConnectAsync(AgentState state, DnsEndPoint bastion, CancellationToken cancellationToken)
    {
        var clientOptions = new SshClientOptions
        {
            Host = bastion.Host,
            Port = bastion.Port,
            // Publickey first: once joined the key alone logs in, and the token is never sent again.
            Credentials = new ClientCredentials(AgentProtocol.UserName(options.Name)) { Keys = [state.Key], Password = options.Token },
            HostKeyVerifier = (key, _) => VerifyBastion(state, bastion, key),
            Transport = new SshTransportSettings { HostKeyAlgorithms = [SshKeyTypes.Ed25519], Ciphers = CipherAlgorithms.ClientDefaultNames },
            KeepaliveInterval = options.KeepaliveInterval,
            KeepaliveCountMax = 3,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            LoginTimeout = TimeSpan.FromSeconds(30),
        };
        return SshClient.ConnectAsync(clientOptions, cancellationToken);
    }

    /// <summary>The pinned bastion key must match; before one is pinned, the key the join token names is pinned.</summary>
    private ValueTask VerifyBastion(AgentState state, DnsEndPoint bastion, SshPublicKey key)
    {
        lock (_pinLock)
        {
            if (state.BastionHostKey is { } pinned)
            {
                if (pinned.BlobEquals(key)) return ValueTask.CompletedTask;
                throw Untrusted(bastion, key, pinned.Fingerprint);
            }
            if (options.Token is null || !AgentToken.TryParse(options.Token, out _, out var fingerprint))
                throw Untrusted(bastion, key, "(none pinned, and no join token naming one)");
            if (key.Fingerprint != fingerprint) throw Untrusted(bastion, key, fingerprint);
            state.PinBastionHostKey(key);
            options.Log($"pinned the bastion host key {key.Fingerprint} named by the join token");
            return ValueTask.CompletedTask;
        }
    }

    private static SshHostKeyException Untrusted(DnsEndPoint bastion, SshPublicKey presented, string expected) =>
        new(bastion.Host, bastion.Port, new KnownHostsResult(KnownHostsStatus.Mismatch, presented.Fingerprint, [expected], null));

    private async Task SendHelloAsync(SshClient client, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> hostKeys;
        try
        {
            var keys = await SshClient.ScanHostKeysAsync(options.Forward.Host, options.Forward.Port, timeout: TimeSpan.FromSeconds(10),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            hostKeys = keys.Take(AgentProtocol.MaxHostKeys).Select(k => k.ToString()).ToArray();
        }
        catch (SshConnectException ex)
        {
            options.Log($"cannot read the host keys of {options.Forward.Host}:{options.Forward.Port}: {ex.Message}");
            hostKeys = [];
        }
        var (accepted, _) = await client.Connection.SendGlobalRequestAsync(AgentProtocol.HelloRequest, wantReply: true,
            AgentProtocol.EncodeHello(options.Version, hostKeys), cancellationToken).ConfigureAwait(false);
        if (!accepted) throw new InvalidOperationException("the bastion did not accept the agent's report");
    }
}
