using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Tests.Infrastructure;
using Fumidai.Ssh.TestHost;

namespace Fumidai.Ssh.Tests.Interop;

/// <summary>Debian's OpenSSH 9.2 client against our server role: every algorithm, every auth method, bulk data.</summary>
public sealed class OpenSshClientInteropTests : IClassFixture<TestHostFixture>
{
    private readonly TestHostFixture _host;

    public OpenSshClientInteropTests(TestHostFixture host) => _host = host;

    private async Task AssertExecWorksAsync(params string[] options)
    {
        var result = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "write 100000", options);
        Assert.True(result.ExitCode == 0, result.StandardError);
        var expected = new byte[100000];
        ExecHandlers.FillPattern(expected, 0);
        Assert.Equal(expected, result.StandardOutput);
    }

    [Theory]
    [InlineData("mlkem768x25519-sha256")]
    [InlineData("curve25519-sha256")]
    [InlineData("curve25519-sha256@libssh.org")]
    [InlineData("ecdh-sha2-nistp256")]
    [InlineData("ecdh-sha2-nistp384")]
    [InlineData("ecdh-sha2-nistp521")]
    public async Task Each_kex_algorithm_works(string kex)
    {
        var version = await ProcessRunner.RunAsync("ssh", ["-Q", "kex"], TimeSpan.FromSeconds(10));
        if (!version.Output.Split('\n').Contains(kex))
        {
            // Debian 12's OpenSSH 9.2 predates mlkem768x25519-sha256 (9.9): our own client covers it in the loopback tests.
            Assert.Equal("mlkem768x25519-sha256", kex);
            return;
        }
        await AssertExecWorksAsync("KexAlgorithms=" + kex);
    }

    [Theory]
    [InlineData("ssh-ed25519")]
    [InlineData("rsa-sha2-512")]
    [InlineData("rsa-sha2-256")]
    [InlineData("ecdsa-sha2-nistp256")]
    public async Task Each_host_key_algorithm_works(string algorithm)
    {
        var result = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "true", ["HostKeyAlgorithms=" + algorithm], verbose: true);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("host key algorithm: " + algorithm, result.StandardError);
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", null)]
    [InlineData("aes256-gcm@openssh.com", null)]
    [InlineData("aes128-gcm@openssh.com", null)]
    [InlineData("aes256-ctr", "hmac-sha2-256-etm@openssh.com")]
    [InlineData("aes128-ctr", "hmac-sha2-512-etm@openssh.com")]
    [InlineData("aes256-ctr", "hmac-sha2-256")]
    [InlineData("aes128-ctr", "hmac-sha2-512")]
    public async Task Each_cipher_and_mac_works(string cipher, string? mac)
    {
        var options = new List<string> { "Ciphers=" + cipher };
        if (mac is not null) options.Add("MACs=" + mac);
        var result = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "echo", options.ToArray(), input: RandomNumberGenerator.GetBytes(300_000), verbose: true);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(300_000, result.StandardOutput.Length);
        Assert.Contains($"cipher: {cipher} MAC: {mac ?? "<implicit>"}", result.StandardError);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public async Task Public_key_authentication_with_each_user_key_type(string type)
    {
        string key = type switch { "ed25519" => _host.Ed25519Key, "ecdsa" => _host.EcdsaKey, _ => _host.RsaKey };
        var result = await _host.Ssh.ExecAsync("alice", key, "exit 0", ["PreferredAuthentications=publickey"]);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    [Fact]
    public async Task Rsa_user_key_with_sha1_signature_is_refused_without_disconnect()
    {
        // The client can only sign with ssh-rsa: the server answers USERAUTH_FAILURE, the client then reports permission denied.
        var result = await _host.Ssh.ExecAsync("alice", _host.RsaKey, "true",
            ["PreferredAuthentications=publickey", "PubkeyAcceptedAlgorithms=ssh-rsa"], verbose: true);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.StandardError);
        Assert.DoesNotContain("Received disconnect", result.StandardError);
    }

    [Fact]
    public async Task Unknown_key_is_refused()
    {
        using var other = new TempDirectory();
        string key = await UserKeys.CreateAsync(other, "ed25519");
        var result = await _host.Ssh.ExecAsync("alice", key, "true", ["PreferredAuthentications=publickey"]);
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.StandardError);
    }

    [Fact]
    public async Task Password_authentication_through_askpass()
    {
        var result = await _host.Ssh.ExecAsync("bob", null, "exit 0",
            ["PreferredAuthentications=password", "NumberOfPasswordPrompts=1"], askpassAnswer: TestHostFixture.Password);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    [Fact]
    public async Task Wrong_password_is_refused()
    {
        var result = await _host.Ssh.ExecAsync("bob", null, "exit 0",
            ["PreferredAuthentications=password", "NumberOfPasswordPrompts=2"], askpassAnswer: "wrong password 12345");
        Assert.Equal(255, result.ExitCode);
        Assert.Contains("Permission denied", result.StandardError);
    }

    [Fact]
    public async Task Keyboard_interactive_through_askpass_shows_our_prompt()
    {
        var result = await _host.Ssh.ExecAsync("carol", null, "exit 0",
            ["PreferredAuthentications=keyboard-interactive", "NumberOfPasswordPrompts=1"], askpassAnswer: TestHostFixture.KeyboardInteractiveAnswer);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains(_host.Ssh.AskpassPrompts(), p => p.Contains("Verification code:"));
    }

    [Fact]
    public async Task Exit_status_and_stderr_are_propagated()
    {
        var status = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "exit 42");
        Assert.Equal(42, status.ExitCode);
        var stderr = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "stderr something went wrong");
        Assert.Equal(0, stderr.ExitCode);
        Assert.Contains("something went wrong", stderr.StandardError);
        Assert.Empty(stderr.StandardOutput);
    }

    [Fact]
    public async Task Strict_kex_is_negotiated()
    {
        var result = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "true", options: ["LogLevel=DEBUG3"]);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("kex-strict-s-v00@openssh.com", result.StandardError);
        Assert.Contains("will use strict KEX ordering", result.StandardError);
    }

    [Fact]
    public async Task Sixty_four_MiB_each_way_arrive_intact()
    {
        const long size = 64L << 20;
        // Upload: the sink reports the byte count and SHA-256 of what it received.
        string file = _host.Directory.Combine("upload.bin");
        await using (var stream = File.Create(file))
        {
            var block = RandomNumberGenerator.GetBytes(1 << 20);
            for (int i = 0; i < 64; i++) await stream.WriteAsync(block);
        }
        string expectedUpload;
        await using (var stream = File.OpenRead(file)) expectedUpload = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        var upload = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "sink", inputFile: file, timeout: TimeSpan.FromMinutes(3));
        Assert.True(upload.ExitCode == 0, upload.StandardError);
        Assert.Equal($"{size} {expectedUpload}", upload.Output.Trim());

        // Download: hash the stream as it arrives and compare with the pattern's hash.
        string? downloadHash = null;
        long downloaded = 0;
        var download = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, $"write {size}", timeout: TimeSpan.FromMinutes(3), consumeOutput: async s =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[256 * 1024];
            int read;
            while ((read = await s.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                downloaded += read;
            }
            downloadHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        });
        Assert.True(download.ExitCode == 0, download.StandardError);
        Assert.Equal(size, downloaded);
        Assert.Equal(ExecHandlers.PatternSha256(size), downloadHash);
    }

    [Fact]
    public async Task Client_initiated_rekey_mid_transfer()
    {
        var input = RandomNumberGenerator.GetBytes(8 << 20);
        var result = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "sink", ["RekeyLimit=1M"], input: input, verbose: true);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal($"{input.Length} {Convert.ToHexStringLower(SHA256.HashData(input))}", result.Output.Trim());
        int kexCount = result.StandardError.Split('\n').Count(l => l.Contains("SSH2_MSG_KEXINIT sent"));
        Assert.True(kexCount >= 4, $"expected several key exchanges, saw {kexCount}");
    }

    [Fact]
    public async Task Banner_and_unknown_command_are_reported()
    {
        var result = await _host.Ssh.ExecAsync("alice", _host.Ed25519Key, "no-such-command");
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("unknown command", result.StandardError);
        Assert.Equal("", Encoding.UTF8.GetString(result.StandardOutput));
    }
}
