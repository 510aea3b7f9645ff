using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fumidai.Web.Hosting;

namespace Fumidai.Web.Tests;

/// <summary>
/// Two <c>fumidai serve</c> nodes on one private PostgreSQL, each with its cluster listener on a free port: node A serves the
/// web console, node B (console off) is where the operators' ssh lands. Console users: <c>otto</c>, <c>adam</c>, <c>ines</c>
/// (admins; one per test, as a TOTP code signs in once), <c>audra</c> (auditor).
/// </summary>
public sealed class CrossNodeConsole : IAsyncLifetime
{
    public CrossNodeConsole()
    {
        WebPort = BastionProcess.FreePort();
        Cluster = new PostgresBastion
        {
            ExtraEnvironment = new()
            {
                [BastionProcess.WebEnabledVariable] = "true",
                ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{WebPort}",
                ["FUMIDAI__Cluster__Listen"] = "127.0.0.1:0",
            },
        };
    }

    public PostgresBastion Cluster { get; }

    public BastionHarness Bastion => Cluster.Harness;

    public int WebPort { get; }

    /// <summary>Node A's console.</summary>
    public Uri BaseUri => new($"https://127.0.0.1:{WebPort}/");

    public X509Certificate2 Certificate { get; private set; } = null!;

    public BastionProcess NodeB { get; private set; } = null!;

    public Dictionary<string, Operator> Users { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        if (!await Bastion.Bastion.WaitForLogAsync($"console listening on https://127.0.0.1:{WebPort}/", TimeSpan.FromSeconds(60)))
            throw new InvalidOperationException("node A's console did not start:\n" + Bastion.Bastion.Log);
        Certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Bastion.DataPath, WebCertificate.CertificateFile));
        NodeB = await Cluster.StartNodeAsync("node-b", new Dictionary<string, string> { [BastionProcess.WebEnabledVariable] = "false" });
        if (!await NodeB.WaitForLogAsync("cluster listener on", TimeSpan.FromSeconds(60)))
            throw new InvalidOperationException("node B has no cluster listener:\n" + NodeB.Log);
        foreach (var (name, role) in new[] { ("otto", "admin"), ("adam", "admin"), ("ines", "admin"), ("audra", "auditor") })
            Users[name] = await Bastion.AddOperatorAsync(name, role, ConsoleHarness.Password);
    }

    /// <summary>What chromium's SPKI allow-list pins for node A's console.</summary>
    public string SpkiPin() => Convert.ToBase64String(SHA256.HashData(Certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    public Task<string> CodeAsync(string user, long? step = null) => Totp.CodeAsync(Users[user].Secret, step ?? Totp.CurrentStep());

    /// <summary>An interactive ssh session of a new operator through node B, at its prompt, and its running session's id.</summary>
    public async Task<(InteractiveSsh Ssh, string Session, int Prompt)> SessionOnNodeBAsync(string user)
    {
        var op = await Bastion.AddOperatorAsync(user);
        var ssh = Bastion.SshInteractive(op, $"{user}:web01", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()), port: NodeB.Port);
        int prompt = await ssh.WaitForAsync("# ", TimeSpan.FromSeconds(30));
        var running = await Bastion.WaitForSessionAsync(user, s => s.GetProperty("status").GetString() == "running", "running");
        if (running.GetProperty("node").GetString() != "node-b") throw new InvalidOperationException($"{user}'s session is not on node B: {running}");
        return (ssh, running.GetProperty("id").GetString()!, prompt);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Certificate?.Dispose();
    }
}
