using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Fumidai.Gateway;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Recordings;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Web.Hosting;

namespace Fumidai.Web.Tests;

/// <summary>
/// The end-to-end bastion (<see cref="BastionHarness"/>: init, a private sshd as target, <c>fumidai serve</c> as a real process)
/// with its web console on a free port of 127.0.0.1, console users, and two sessions made through Debian's ssh by <c>alice</c>.
/// </summary>
/// <remarks>
/// Users: <c>audra</c>, <c>ursula</c>, <c>idle</c>, <c>httpuser</c>, <c>tess</c>, <c>sam</c> (auditors), <c>adam</c>, <c>otto</c> (admins), <c>wendy</c> (auditor, for the replay
/// test), <c>locky</c> (auditor, for lockout), <c>carol</c> (an operator with a password but no console role), <c>alice</c> (the operator).
/// Each test signs in as its own user, since a TOTP code works once per user. Lockout is set to 3 attempts for the lockout test.
/// </remarks>
public sealed class ConsoleHarness : IAsyncLifetime
{
    public const string Password = "console password 2026";
    public const int LockoutThreshold = 3;

    public ConsoleHarness()
    {
        WebPort = BastionProcess.FreePort();
        Bastion = new BastionHarness
        {
            BastionEnvironment = new Dictionary<string, string>
            {
                ["FUMIDAI__Sessions__DrainTimeout"] = "3s",
                // The smallest chunks allowed, so a few seconds of output make a recording of many chunks to seek in.
                ["FUMIDAI__Recording__ChunkKiB"] = "16",
                [BastionProcess.WebEnabledVariable] = "true",
                ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{WebPort}",
                ["FUMIDAI__Security__LockoutThreshold"] = LockoutThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    public BastionHarness Bastion { get; }

    public int WebPort { get; }

    public Uri BaseUri => new($"https://127.0.0.1:{WebPort}/");

    public Dictionary<string, Operator> Users { get; } = new(StringComparer.Ordinal);

    /// <summary>alice's exec session that printed <c>CONSOLE_42_MARK</c>.</summary>
    public string PlainSession { get; private set; } = "";

    /// <summary>alice's exec session whose first chunk the test altered in the store after it ended.</summary>
    public string TamperedSession { get; private set; } = "";

    /// <summary>The console's certificate as <c>init</c> wrote it: what clients pin.</summary>
    public X509Certificate2 Certificate { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Bastion.InitializeAsync();
        Certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Bastion.DataPath, WebCertificate.CertificateFile));
        if (!await Bastion.Bastion.WaitForLogAsync($"console listening on https://127.0.0.1:{WebPort}/", TimeSpan.FromSeconds(60)))
            throw new InvalidOperationException("the console did not start:\n" + Bastion.Bastion.Log);
        foreach (var (name, role) in new[] { ("audra", "auditor"), ("ursula", "auditor"), ("idle", "auditor"), ("httpuser", "auditor"), ("adam", "admin"),
                     ("wendy", "auditor"), ("locky", "auditor"), ("tess", "auditor"), ("sam", "auditor"), ("otto", "admin"), ("carol", "ops") })
            Users[name] = await Bastion.AddOperatorAsync(name, role, Password);
        var alice = await Bastion.AddOperatorAsync("alice");
        Users["alice"] = alice;
        long step = Totp.CurrentStep();
        var first = await Bastion.SshExecAsync(alice, "alice:web01", "echo CONSOLE_$((6*7))_MARK", await Totp.CodeAsync(alice.Secret, step));
        if (first.ExitCode != 0) throw new InvalidOperationException($"ssh failed: {first.StandardError}");
        var second = await Bastion.SshExecAsync(alice, "alice:web01", "echo TAMPER_$((5+5))_ME", await Totp.CodeAsync(alice.Secret, step + 1));
        if (second.ExitCode != 0) throw new InvalidOperationException($"ssh failed: {second.StandardError}");
        var all = await WaitForClosedAsync(2);
        PlainSession = all[0].GetProperty("id").GetString()!;
        TamperedSession = all[1].GetProperty("id").GetString()!;
        await AlterFirstChunkAsync(all[1].GetProperty("recording").GetString()!);
    }

    private async Task<List<JsonElement>> WaitForClosedAsync(int count)
    {
        for (int i = 0; i < 150; i++)
        {
            var sessions = await Bastion.SessionsAsync("alice");
            if (sessions.Count >= count && sessions.All(s => s.GetProperty("status").GetString() != "running")) return sessions;
            await Task.Delay(200);
        }
        throw new TimeoutException("alice's sessions did not end");
    }

    /// <summary>What an intruder with write access to the store would do: change the recorded output, recompress, put it back.</summary>
    private async Task AlterFirstChunkAsync(string prefix)
    {
        var data = new DataDirectory(Bastion.DataPath);
        var store = RecordingStores.Open(new RecordingOptions(), data);
        try
        {
            string manifestKey = ObjectLayout.ManifestKey(prefix);
            byte[]? manifestBytes = null;
            for (int i = 0; i < 100 && manifestBytes is null; i++)
            {
                manifestBytes = await store.GetAsync(manifestKey);
                if (manifestBytes is null) await Task.Delay(200);
            }
            var manifest = ManifestCodec.Read(manifestBytes ?? throw new TimeoutException("no manifest for " + prefix)).Manifest;
            var compression = ChunkCodec.Parse(manifest.Compression);
            string chunkKey = prefix + manifest.Chunks[0].Name;
            byte[] original = (await store.GetAsync(chunkKey))!;
            string text = System.Text.Encoding.UTF8.GetString(ChunkCodec.Decompress(original, compression));
            await store.PutAsync(chunkKey, ChunkCodec.Compress(System.Text.Encoding.UTF8.GetBytes(text.Replace("TAMPER_10_ME", "TAMPER_11_ME")), compression));
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>A TOTP code of the user for the current step (from oathtool).</summary>
    public Task<string> CodeAsync(string user, long? step = null) => Totp.CodeAsync(Users[user].Secret, step ?? Totp.CurrentStep());

    /// <summary>The SHA-256 of the certificate's public key, base64: what chromium's SPKI allow-list pins.</summary>
    public string SpkiPin() => Convert.ToBase64String(SHA256.HashData(Certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    public async Task DisposeAsync()
    {
        await Bastion.DisposeAsync();
        Certificate?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleHarness>
{
    public const string Name = "console";
}
