using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Fumidai.Testing;

/// <summary>A person at the test IdP: her password and the groups the IdP says she is in.</summary>
public sealed record IdpUser(string Password, IReadOnlyList<string> Groups);

/// <summary>
/// A real OpenID provider (npm oidc-provider, tests/idp, version pinned by its lock file) on 127.0.0.1 over HTTPS, with a test
/// CA made here: the bastion is told to trust <see cref="CaFile"/>, the browser pins <see cref="SpkiPin"/>. Stopped by its PID.
/// Users are re-read by the provider on every look-up, so <see cref="SetUsers"/> changes them while it runs.
/// </summary>
public sealed class OidcProvider : IDisposable
{
    public const string ClientId = "fumidai-console";
    private readonly TempDirectory _directory = new("fumidai-idp");
    private readonly Dictionary<string, IdpUser> _users;
    private readonly string[] _redirectUris;
    private Process? _process;
    private readonly StringBuilder _log = new();

    public OidcProvider(IReadOnlyDictionary<string, IdpUser> users, params string[] redirectUris)
    {
        _users = new Dictionary<string, IdpUser>(users, StringComparer.Ordinal);
        _redirectUris = redirectUris;
        Port = FreePort();
        ClientSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        MakeCertificates();
        WriteConfig();
        try
        {
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    public string Issuer => $"https://127.0.0.1:{Port}";

    public string ClientSecret { get; }

    /// <summary>The test CA's certificate (PEM): the only CA the bastion should trust for the IdP.</summary>
    public string CaFile => _directory.Combine("ca.pem");

    /// <summary>The SHA-256 of the IdP certificate's public key, base64, for chromium's SPKI allow-list.</summary>
    public string SpkiPin { get; private set; } = "";

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Replaces the IdP's users (a leaver removed, a group changed); takes effect at the next look-up.</summary>
    public void SetUsers(IReadOnlyDictionary<string, IdpUser> users)
    {
        _users.Clear();
        foreach (var (name, user) in users) _users[name] = user;
        WriteConfig();
    }

    private void MakeCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Fumidai test IdP CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = leafRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(CaFile, ca.ExportCertificatePem());
        File.WriteAllText(_directory.Combine("cert.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(_directory.Combine("key.pem"), leafKey.ExportPkcs8PrivateKeyPem());
        SpkiPin = Convert.ToBase64String(SHA256.HashData(leaf.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    private void WriteConfig()
    {
        var config = new
        {
            port = Port,
            key = _directory.Combine("key.pem"),
            cert = _directory.Combine("cert.pem"),
            clients = new[]
            {
                new Dictionary<string, object>
                {
                    ["client_id"] = ClientId,
                    ["client_secret"] = ClientSecret,
                    ["redirect_uris"] = _redirectUris,
                    ["response_types"] = new[] { "code" },
                    ["grant_types"] = new[] { "authorization_code", "refresh_token" },
                    ["token_endpoint_auth_method"] = "client_secret_basic",
                },
            },
            users = _users.ToDictionary(u => u.Key, u => new { password = u.Value.Password, groups = u.Value.Groups }),
        };
        string path = _directory.Combine("idp.json");
        File.WriteAllText(path + ".new", JsonSerializer.Serialize(config));
        File.Move(path + ".new", path, overwrite: true);
    }

    private void Start()
    {
        string dir = Path.Combine(RepositoryRoot.Path, "tests", "idp");
        if (!File.Exists(Path.Combine(dir, "node_modules", "oidc-provider", "package.json")))
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error") { WorkingDirectory = dir })
                ?? throw new InvalidOperationException("cannot start npm");
            if (!npm.WaitForExit(180_000) || npm.ExitCode != 0) throw new InvalidOperationException("npm ci in tests/idp failed");
        }
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        info.ArgumentList.Add(Path.Combine(dir, "idp.mjs"));
        info.ArgumentList.Add(_directory.Combine("idp.json"));
        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start node");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the test IdP exited with {_process.ExitCode}:\n{Log}");
            if (Log.Contains("idp listening on", StringComparison.Ordinal)) return;
            Thread.Sleep(100);
        }
        throw new TimeoutException("the test IdP did not listen within 120 s:\n" + Log);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited) _process.Kill();
                _process.WaitForExit(10_000);
            }
            finally
            {
                _process.Dispose();
                _process = null;
            }
        }
        _directory.Dispose();
    }
}
