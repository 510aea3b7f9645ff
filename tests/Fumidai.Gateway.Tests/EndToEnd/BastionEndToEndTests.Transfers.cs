using System.Security.Cryptography;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>scp (legacy and sftp-based) and sftp through the bastion, both ways, byte for byte, each file audited.</summary>
/// <remarks>The target is a private sshd on this machine, so the test reads and writes the target's files directly.</remarks>
public sealed partial class BastionEndToEndTests
{
    private const int TransferSize = 300 * 1024 + 17;

    /// <remarks>An scp-only role is enough: OpenSSH's scp -O sends exactly what counts as an scp server invocation.</remarks>
    [Fact]
    public async Task Legacy_scp_copies_files_both_ways_byte_identical_for_an_scp_only_role_and_records_the_protocol()
    {
        await ScpRoundTripAsync("scpold", ["-O"], role: "scponly");

        var sessions = await _h.SessionsAsync("scpold");
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("scp", s.GetProperty("kind").GetString()));
        foreach (var session in sessions)
        {
            bool upload = session.GetProperty("command").GetString()!.Contains(" -t ");
            var events = await _h.RecordingEventsAsync(session.GetProperty("id").GetString()!);
            var markers = events.Where(e => e.Type == AsciicastEventType.Marker).Select(e => e.Data).ToList();
            string sender = upload ? "operator" : "target";
            long size = upload ? TransferSize : TransferSize + 1;
            string name = upload ? "scpold-local.bin" : "scpold-on-target.bin";
            Assert.True(markers.Contains($"scp from {sender}: C0644 {size} {name}"), string.Join('\n', markers));
            Assert.Contains(markers, m => m.StartsWith("scp summary: 1 file(s), ", StringComparison.Ordinal) && m.EndsWith(" 0 warning(s), 0 error(s)"));
            string file = upload ? _h.Directory.Combine("scpold-uploaded.bin") : _h.Directory.Combine("scpold-on-target.bin");
            string summary = $"file {(upload ? "upload" : "download")} {file} {size} bytes sha256 {Sha256(file)}";
            Assert.True(markers.Any(m => m.StartsWith(summary, StringComparison.Ordinal)), string.Join('\n', markers));
            Assert.DoesNotContain(markers, m => m.Contains("no longer follows"));
            // The file's bytes are summarised, not recorded.
            Assert.True(events.Where(e => e.Type is AsciicastEventType.Input or AsciicastEventType.Output).Sum(e => e.Data.Length) < 4096,
                string.Join('\n', markers));
        }
    }

    [Fact]
    public Task Sftp_based_scp_copies_files_both_ways_byte_identical() => ScpRoundTripAsync("scpnew", []);

    [Fact]
    public async Task Sftp_puts_and_gets_files_byte_identical()
    {
        var op = await _h.AddOperatorAsync("sftp");
        long s0 = Totp.CurrentStep();
        var (local, remoteUp, remoteDown, localDown) = TransferFiles("sftp");

        string putBatch = _h.Directory.Combine("sftp-put.batch");
        File.WriteAllText(putBatch, $"put {local} {remoteUp}\n");
        var put = await _h.RunClientAsync("sftp", op, "sftp:web01", await Totp.CodeAsync(op.Secret, s0), ["-b", putBatch, "127.0.0.1"]);
        Assert.True(put.ExitCode == 0, Describe(put));
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(remoteUp));

        string getBatch = _h.Directory.Combine("sftp-get.batch");
        File.WriteAllText(getBatch, $"get {remoteDown} {localDown}\n");
        var get = await _h.RunClientAsync("sftp", op, "sftp:web01", await Totp.CodeAsync(op.Secret, s0 + 1), ["-b", getBatch, "127.0.0.1"]);
        Assert.True(get.ExitCode == 0, Describe(get));
        Assert.Equal(File.ReadAllBytes(remoteDown), File.ReadAllBytes(localDown));

        await AssertTransfersAuditedAsync("sftp", remoteUp, remoteDown);
    }

    private async Task ScpRoundTripAsync(string user, string[] mode, string role = "ops")
    {
        var op = await _h.AddOperatorAsync(user, role);
        long s0 = Totp.CurrentStep();
        var (local, remoteUp, remoteDown, localDown) = TransferFiles(user);

        var up = await _h.RunClientAsync("scp", op, user + ":web01", await Totp.CodeAsync(op.Secret, s0), [.. mode, local, "127.0.0.1:" + remoteUp]);
        Assert.True(up.ExitCode == 0, Describe(up));
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(remoteUp));

        var down = await _h.RunClientAsync("scp", op, user + ":web01", await Totp.CodeAsync(op.Secret, s0 + 1),
            [.. mode, "127.0.0.1:" + remoteDown, localDown]);
        Assert.True(down.ExitCode == 0, Describe(down));
        Assert.Equal(File.ReadAllBytes(remoteDown), File.ReadAllBytes(localDown));

        await AssertTransfersAuditedAsync(user, remoteUp, remoteDown);
    }

    /// <summary>Random files: one to upload, one already "on the target" to download, and where each lands.</summary>
    private (string Local, string RemoteUp, string RemoteDown, string LocalDown) TransferFiles(string name)
    {
        string local = _h.Directory.Combine($"{name}-local.bin");
        string remoteDown = _h.Directory.Combine($"{name}-on-target.bin");
        File.WriteAllBytes(local, RandomNumberGenerator.GetBytes(TransferSize));
        File.WriteAllBytes(remoteDown, RandomNumberGenerator.GetBytes(TransferSize + 1));
        return (local, _h.Directory.Combine($"{name}-uploaded.bin"), remoteDown, _h.Directory.Combine($"{name}-downloaded.bin"));
    }

    /// <summary>Each file is audited as a <c>session.file</c> event with its path, size and SHA-256.</summary>
    private async Task AssertTransfersAuditedAsync(string user, string uploaded, string downloaded)
    {
        var upload = await _h.WaitForAuditAsync(e => e.Type == "session.file" && e.User == user && e.Detail("operation") == "upload",
            $"session.file upload of {user}");
        Assert.Equal(uploaded, upload.Detail("path"));
        Assert.Equal(new FileInfo(uploaded).Length.ToString(), upload.Detail("bytes"));
        Assert.Equal(Sha256(uploaded), upload.Detail("sha256"));
        Assert.Equal("web01", upload.Target);

        var download = await _h.WaitForAuditAsync(e => e.Type == "session.file" && e.User == user && e.Detail("operation") == "download",
            $"session.file download of {user}");
        Assert.Equal(downloaded, download.Detail("path"));
        Assert.Equal(new FileInfo(downloaded).Length.ToString(), download.Detail("bytes"));
        Assert.Equal(Sha256(downloaded), download.Detail("sha256"));
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
