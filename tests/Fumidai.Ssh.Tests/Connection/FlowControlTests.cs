using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.TestHost;

namespace Fumidai.Ssh.Tests.Connection;

/// <summary>A consumer that stops reading stalls its own channel only: not other channels, keepalives or a rekey.</summary>
public sealed class FlowControlTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("fumidai-flow");
    private readonly SshPrivateKey _key = SshPrivateKey.Generate("ssh-ed25519");
    private TestSshServer _server = null!;

    public Task InitializeAsync()
    {
        _server = TestSshServer.Start(new TestHostOptions { HostKeyDirectory = _directory.Combine("keys"), AuthorizedKeys = [_key.PublicKey.ToOpenSsh()] });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Stalled_channel_does_not_block_other_channels_keepalives_or_rekey()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var pinned = _server.HostKeys.Select(k => k.PublicKey).ToArray();
        await using var client = await SshClient.ConnectAsync(new SshClientOptions
        {
            Host = "127.0.0.1",
            Port = _server.Port,
            Credentials = new ClientCredentials("alice") { Keys = [_key] },
            HostKeyVerifier = (key, _) => pinned.Any(p => p.BlobEquals(key)) ? ValueTask.CompletedTask : throw new InvalidOperationException("unexpected host key"),
        }, timeout.Token);

        await using var stalled = await client.OpenSessionAsync(timeout.Token);
        await stalled.ExecAsync("stall", timeout.Token);
        var blocked = stalled.WriteAsync(new byte[8 << 20], timeout.Token).AsTask();
        // The server never reads, so the write stops once our 2 MiB window on its side is used up.
        await Task.Delay(500, timeout.Token);
        Assert.False(blocked.IsCompleted, "an 8 MiB write to a channel nobody reads should stall on the window");

        var other = await client.RunCommandAsync("write 300000", cancellationToken: timeout.Token);
        Assert.Equal(300_000, other.StandardOutput.Length);

        var keepalive = await client.Connection.SendGlobalRequestAsync("keepalive@openssh.com", true, ReadOnlyMemory<byte>.Empty, timeout.Token);
        Assert.False(keepalive.Success); // answered (with failure, as OpenSSH does): the connection is alive

        int before = client.Transport.KeyExchangeCount;
        await client.Transport.StartRekeyAsync(timeout.Token);
        for (int i = 0; i < 200 && client.Transport.KeyExchangeCount == before; i++) await Task.Delay(25, timeout.Token);
        Assert.Equal(before + 1, client.Transport.KeyExchangeCount);

        var afterRekey = await client.RunCommandAsync("exit 7", cancellationToken: timeout.Token);
        Assert.Equal(7u, afterRekey.Exit.ExitStatus);
        Assert.False(blocked.IsCompleted);
    }
}
