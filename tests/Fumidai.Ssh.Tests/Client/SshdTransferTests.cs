using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>Bulk data against Debian's sshd: the sftp subsystem, 64 MiB each way hashed, rekeys while data flows.</summary>
public sealed class SshdTransferTests(SshdFixture fixture) : IClassFixture<SshdFixture>
{
    private const int BulkSize = 64 * 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Sftp_subsystem_round_trips_a_file()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);
        await using var session = await client.OpenSessionAsync(cts.Token);
        await session.SubsystemAsync("sftp", cts.Token);
        var sftp = new SftpTestClient(session);
        var content = RandomNumberGenerator.GetBytes(300_000);
        string path = fixture.Sshd.Directory.Combine("sftp-upload.bin");

        Assert.Equal(3u, await sftp.InitAsync(cts.Token));
        await sftp.PutAsync(path, content, cts.Token);
        var back = await sftp.GetAsync(path, cts.Token);

        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(content, back);
    }

    [Fact]
    public async Task Upload_64_MiB_hashes_equal_on_the_server_with_server_initiated_rekeys()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);
        var data = new byte[BulkSize];
        new Random(1234).NextBytes(data);
        string expected = Convert.ToHexStringLower(SHA256.HashData(data));

        var result = await client.RunCommandAsync("sha256sum", data, cts.Token);

        Assert.Equal(0u, result.Exit.ExitStatus);
        Assert.Equal(expected + "  -\n", result.Output);
        // sshd's RekeyLimit 16M makes it start several key exchanges while our data flows in.
        Assert.True(client.Transport.KeyExchangeCount >= 3, $"key exchanges: {client.Transport.KeyExchangeCount}");
    }

    [Fact]
    public async Task Download_64_MiB_hashes_equal_with_a_client_initiated_rekey_midway()
    {
        string path = fixture.Sshd.Directory.Combine("download.bin");
        var data = new byte[BulkSize];
        new Random(4321).NextBytes(data);
        await File.WriteAllBytesAsync(path, data);
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);
        await using var session = await client.OpenSessionAsync(cts.Token);
        await session.ExecAsync("cat " + path, cts.Token);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        bool rekeyed = false;
        int read;
        while ((read = await session.ReadAsync(buffer, cts.Token)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
            if (!rekeyed && total > BulkSize / 4)
            {
                rekeyed = true;
                await client.Transport.StartRekeyAsync(cts.Token);
            }
        }
        var exit = await session.Exit.WaitAsync(cts.Token);

        Assert.Equal(0u, exit.ExitStatus);
        Assert.Equal(BulkSize, total);
        Assert.Equal(SHA256.HashData(data), hash.GetHashAndReset());
        Assert.True(client.Transport.KeyExchangeCount >= 3, $"key exchanges: {client.Transport.KeyExchangeCount}");
        File.Delete(path);
    }

    [Fact]
    public async Task Large_output_on_stdout_and_stderr_together_completes()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);

        var result = await client.RunCommandAsync("head -c 5000000 /dev/zero; head -c 3000000 /dev/zero >&2; echo done >&2", cancellationToken: cts.Token);

        Assert.Equal(5_000_000, result.StandardOutput.Length);
        Assert.Equal(3_000_005, result.StandardError.Length);
        Assert.EndsWith("done\n", Encoding.ASCII.GetString(result.StandardError));
    }
}
