using System.Diagnostics;
using System.Text.Json;
using Fumidai.Cli;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Tests.Cli;
using Fumidai.Recording.Storage;
using Fumidai.Ssh.Keys;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>
/// One bastion for one test: a data directory made by <c>fumidai init</c> recording to a file or S3 store, a Debian sshd
/// target (<c>web01</c>, trusting the bastion's user CA), <c>fumidai serve</c> as a process, the CLI in-process.
/// </summary>
public sealed class StorageBastion : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly SemaphoreSlim _cli = new(1, 1);
    private PrivateSshd? _target;

    private StorageBastion(string? s3Url, string? bucket)
    {
        S3Url = s3Url;
        Bucket = bucket;
        Store = s3Url is null
            ? new FileObjectStore(Path.Combine(DataPath, "recordings"))
            : new S3ObjectStore(new S3ObjectStoreOptions { ServiceUrl = s3Url, Bucket = bucket!, Prefix = Prefix, ForcePathStyle = true, Region = "us-east-1" },
                S3Fixture.Credentials);
    }

    /// <summary>The key prefix inside the bucket (Recording:S3:Prefix).</summary>
    public const string Prefix = "fumidai/test";

    public TempDirectory Directory { get; } = new("fumidai-storage-e2e");

    public string DataPath => Directory.Combine("data");

    public string? S3Url { get; }

    public string? Bucket { get; }

    /// <summary>The same store the bastion writes, opened by the test to look at (and tamper with) what is stored.</summary>
    public IObjectStore Store { get; }

    public BastionProcess? Serve { get; private set; }

    /// <summary>The target sshd behind <c>web01</c>.</summary>
    public PrivateSshd Target => _target ?? throw new InvalidOperationException("not initialised");

    /// <summary>The environment of the serve process: s3rver's fixed credentials through the standard AWS variables.</summary>
    public static Dictionary<string, string> ServeEnvironment => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "S3RVER",
        ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        // Small chunks, so a test's output of a megabyte or two spans several (the tamper test needs three).
        ["FUMIDAI__Recording__ChunkKiB"] = "512",
        // A busy session's chunk at 5 s, not 30: the tests see chunks reach the store while a short session runs.
        [ChunkAgeKey] = "5",
    };

    private const string ChunkAgeKey = "FUMIDAI__Recording__MaxChunkAgeSeconds";

    static StorageBastion()
    {
        // The in-process CLI reads S3 through the default credential chain too.
        // The chunk age matters to serve only; set in this process it would override the configuration tests' files.
        foreach (var (key, value) in ServeEnvironment)
            if (key != ChunkAgeKey) Environment.SetEnvironmentVariable(key, value);
    }

    /// <summary>Creates the data directory (file store when <paramref name="s3Url"/> is null) and the target; does not start serve.</summary>
    public static async Task<StorageBastion> CreateAsync(string? s3Url, string mode = "best-effort")
    {
        string? bucket = s3Url is null ? null : await S3Fixture.CreateBucketAsync(s3Url);
        var bastion = new StorageBastion(s3Url, bucket);
        try
        {
            await bastion.InitializeAsync(mode);
            return bastion;
        }
        catch
        {
            await bastion.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(string mode)
    {
        await MustAsync("init", "--admin", "admin");
        WriteConfiguration(S3Url is null ? null : new { Bucket, Prefix, Region = "us-east-1", ServiceUrl = S3Url, ForcePathStyle = true }, mode);
        var ca = SshPublicKey.ParseOpenSsh((await MustAsync("ca", "show")).Out.Trim());
        _target = await PrivateSshd.StartAsync([], [ca]);
        await MustAsync("target", "add", "web01", "--host", PrivateSshd.Host, "--port", _target.Port.ToString(), "--login", "root",
            "--host-key", _target.HostKeys[0].ToString());
        await MustAsync("role", "add", "ops", "--targets", "web*", "--logins", "root");
    }

    /// <summary>Rewrites fumidai.json: <c>Recording:Store</c> file or s3 with the given S3 section, and <c>Recording:Mode</c>.</summary>
    public void WriteConfiguration(object? s3, string mode = "best-effort")
    {
        var recording = s3 is null ? (object)new { Store = "file", Mode = mode } : new { Store = "s3", Mode = mode, S3 = s3 };
        File.WriteAllText(Path.Combine(DataPath, "fumidai.json"), JsonSerializer.Serialize(new { Recording = recording }, Indented));
    }

    /// <summary>Starts serve and waits (bounded) until it listens.</summary>
    /// <param name="environment">Configuration overrides on top of <see cref="ServeEnvironment"/>, e.g. <c>FUMIDAI__Targets__ConnectTimeout</c>.</param>
    public async Task<BastionProcess> StartServeAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var merged = ServeEnvironment;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) merged[key] = value;
        Serve = BastionProcess.Launch(DataPath, merged);
        if (!await Serve.WaitForLogAsync("listening on", Timeout))
            throw new Xunit.Sdk.XunitException($"fumidai serve did not listen (exited: {Serve.HasExited}):\n{Serve.Log}");
        return Serve;
    }

    // ---- the CLI, in-process ----

    public async Task<CliResult> CliAsync(params string[] args)
    {
        await _cli.WaitAsync();
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            using var timeout = new CancellationTokenSource(Timeout);
            int exit = await FumidaiCommandLine.RunAsync([.. args, "--data", DataPath], new CliRuntime(new CliConsole(new StringReader(""), output, error)),
                timeout.Token);
            return new CliResult(args, exit, output.ToString(), error.ToString());
        }
        finally
        {
            _cli.Release();
        }
    }

    public async Task<CliResult> MustAsync(params string[] args)
    {
        var result = await CliAsync(args);
        if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"fumidai {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    /// <summary><c>user add NAME --key NAME.pub --role ops</c>; returns the key file and the TOTP secret.</summary>
    public async Task<(string Name, string KeyFile, string Secret)> AddOperatorAsync(string name)
    {
        string key = Directory.Combine("key_" + name);
        var keygen = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key], Timeout);
        if (keygen.ExitCode != 0) throw new InvalidOperationException("ssh-keygen failed: " + keygen.StandardError);
        var added = await MustAsync("user", "add", name, "--key", key + ".pub", "--role", "ops");
        return (name, key, TotpCodes.Base32Secret(added.Out));
    }

    /// <summary><c>ssh -tt NAME:TARGET@bastion COMMAND</c> with the operator's key and a fresh TOTP code (answered by askpass).</summary>
    public SshRun Ssh((string Name, string KeyFile, string Secret) op, string command, string target = "web01")
    {
        string askpass = Directory.Combine($"askpass-{op.Name}-{Guid.NewGuid():N}.sh");
        File.WriteAllText(askpass, $"#!/bin/sh\ncase \"$1\" in *'Verification code'*) echo '{TotpCodes.Oathtool(op.Secret)}' ;; *) exit 1 ;; esac\n");
        File.SetUnixFileMode(askpass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string knownHosts = Directory.Combine("known_hosts");
        File.WriteAllLines(knownHosts, new[] { "host_ed25519.pub", "host_rsa.pub" }
            .Select(f => $"[127.0.0.1]:{Serve!.Port} {File.ReadAllText(Path.Combine(DataPath, f)).Trim()}"));
        string[] args =
        [
            "-tt", "-e", "none", "-F", "/dev/null", "-p", Serve!.Port.ToString(), "-l", op.Name + ":" + target,
            "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
            "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "IdentityFile=" + op.KeyFile, "-o", "BatchMode=no",
            "-o", "ConnectTimeout=30", "127.0.0.1", command,
        ];
        return SshRun.Start(args, new Dictionary<string, string> { ["SSH_ASKPASS"] = askpass, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" });
    }

    /// <summary>The user's sessions as <c>sessions list --json</c> shows them.</summary>
    public async Task<List<JsonElement>> SessionsAsync(string user)
    {
        using var json = JsonDocument.Parse((await MustAsync("sessions", "list", "--user", user, "--json")).Out);
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>Polls (bounded) until one of the user's sessions matches.</summary>
    public async Task<JsonElement> WaitForSessionAsync(string user, Func<JsonElement, bool> match, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var sessions = await SessionsAsync(user);
            if (sessions.FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found) return found;
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
                throw new Xunit.Sdk.XunitException($"no session of {user} {what}: {string.Join('\n', sessions.Select(s => s.GetRawText()))}\n{Serve?.Log}");
            await Task.Delay(200);
        }
    }

    /// <summary>Object keys under a prefix (as listed by the test's own client).</summary>
    public async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var o in Store.ListAsync(prefix)) keys.Add(o.Key);
        return keys;
    }

    /// <summary>Polls (bounded) until <paramref name="key"/> is stored.</summary>
    public async Task WaitForObjectAsync(string key, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (await Store.GetAsync(key) is null)
        {
            if (clock.Elapsed > timeout) throw new Xunit.Sdk.XunitException($"{key} never arrived in {Store.Description}:\n{Serve?.Log}");
            await Task.Delay(250);
        }
    }

    /// <summary><c>sessions export ID -o FILE</c>, then what a terminal shows for <c>asciinema cat FILE</c>.</summary>
    public async Task<string> ExportAndCatAsync(string id)
    {
        string cast = Directory.Combine($"export-{id}.cast");
        await MustAsync("sessions", "export", id, "-o", cast);
        var cat = await ProcessRunner.RunAsync("script", ["-qec", $"asciinema cat '{cast}'", "/dev/null"], Timeout);
        Assert.True(cat.ExitCode == 0, $"asciinema cat failed ({cat.ExitCode}): {cat.StandardError}{cat.Output}");
        return cat.Output;
    }

    public async ValueTask DisposeAsync()
    {
        if (Serve is not null) await Serve.DisposeAsync();
        if (_target is not null) await _target.DisposeAsync();
        (Store as IDisposable)?.Dispose();
        Directory.Dispose();
    }
}
