using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Fumidai.Gateway.Configuration;

/// <summary>Reads fumidai.json plus FUMIDAI__ environment overrides and validates every value at start.</summary>
public static class ConfigurationLoader
{
    public const string EnvironmentPrefix = "FUMIDAI__";

    public static FumidaiOptions Load(string path)
    {
        if (File.Exists(path)) CheckJsonSyntax(path);
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(path, optional: true, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .Build();
        var options = new FumidaiOptions();
        try
        {
            configuration.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException($"{path}: {ex.Message}");
        }
        Validate(options, path);
        return options;
    }

    /// <summary>Reports JSON syntax errors with the file and line, which the configuration library would not.</summary>
    private static void CheckJsonSyntax(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            using var _ = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException($"{path}:{(ex.LineNumber ?? 0) + 1}: invalid JSON: {ex.Message.Split(" Path:")[0]}");
        }
    }

    /// <summary>What sshd accepts in a certificate's <c>source-address</c>, plus <c>auto</c> and empty.</summary>
    private static bool IsSourceAddressSetting(string? value)
    {
        if (value is null) return false;
        value = value.Trim();
        if (value.Length == 0 || value == "auto") return true;
        return value.Length <= 1024 && value.Split(',').All(part => System.Net.IPNetwork.TryParse(part, out _)
            || (System.Net.IPAddress.TryParse(part, out var address) && string.Equals(address.ToString(), part, StringComparison.OrdinalIgnoreCase)));
    }

    private static void Validate(FumidaiOptions o, string path)
    {
        var errors = new List<string>();
        void Duration(string key, string? value, bool optional = false, bool zeroTurnsOff = false)
        {
            if (optional && value is null) return;
            if (!Configuration.Duration.TryParse(value, out var d) || d < TimeSpan.Zero || (d == TimeSpan.Zero && !zeroTurnsOff))
                errors.Add(Locate(path, key) + $": {key} = '{value}' is not a duration such as 90s, 15m or 8h"
                    + (zeroTurnsOff ? ", or 0s for off" : ""));
        }
        Duration("Ssh:LoginGraceTime", o.Ssh.LoginGraceTime);
        Duration("Security:LockoutDuration", o.Security.LockoutDuration);
        Duration("Security:SourceWindow", o.Security.SourceWindow);
        Duration("Sessions:IdleTimeout", o.Sessions.IdleTimeout);
        Duration("Sessions:MaxSession", o.Sessions.MaxSession, optional: true);
        Duration("Sessions:DrainTimeout", o.Sessions.DrainTimeout);
        Duration("Targets:ConnectTimeout", o.Targets.ConnectTimeout);
        Duration("Targets:CertificateLifetime", o.Targets.CertificateLifetime);
        Duration("Targets:TcpKeepalive", o.Targets.TcpKeepalive, zeroTurnsOff: true);
        Duration("Targets:KeepaliveInterval", o.Targets.KeepaliveInterval, zeroTurnsOff: true);
        Duration("Agents:KeepaliveInterval", o.Agents.KeepaliveInterval, zeroTurnsOff: true);
        if (!IsSourceAddressSetting(o.Targets.CertificateSourceAddress))
            errors.Add(Locate(path, "Targets:CertificateSourceAddress") + $": Targets:CertificateSourceAddress = '{o.Targets.CertificateSourceAddress}'"
                + " must be auto, empty, or addresses/CIDRs separated by commas");
        if (!TryParseEndPoint(o.Ssh.Listen, out _))
            errors.Add(Locate(path, "Ssh:Listen") + $": Ssh:Listen = '{o.Ssh.Listen}' is not ADDRESS:PORT");
        // PCI DSS 8.3.4: lockout may be stricter (fewer attempts, longer lock), never looser.
        if (o.Security.LockoutThreshold is < 1 or > 10)
            errors.Add(Locate(path, "Security:LockoutThreshold") + ": Security:LockoutThreshold must be between 1 and 10");
        if (Configuration.Duration.TryParse(o.Security.LockoutDuration, out var lockFor) && lockFor < TimeSpan.FromMinutes(30))
            errors.Add(Locate(path, "Security:LockoutDuration") + ": Security:LockoutDuration must be at least 30m");
        if (Configuration.Duration.TryParse(o.Sessions.IdleTimeout, out var idle) && idle > TimeSpan.FromMinutes(15))
            errors.Add(Locate(path, "Sessions:IdleTimeout") + ": Sessions:IdleTimeout must be at most 15m (PCI DSS 8.2.8)");
        // A stop that takes longer than a day looks hung to whoever waits for it (and systemd's stop timeout must exceed it).
        if (Configuration.Duration.TryParse(o.Sessions.DrainTimeout, out var drain) && drain > TimeSpan.FromDays(1))
            errors.Add(Locate(path, "Sessions:DrainTimeout") + ": Sessions:DrainTimeout must be at most 1d");
        if (o.Ssh.MaxAuthTries is < 1 or > 20)
            errors.Add(Locate(path, "Ssh:MaxAuthTries") + ": Ssh:MaxAuthTries must be between 1 and 20");
        if (o.Ssh.MaxUnauthenticated is < 1 or > 100_000)
            errors.Add(Locate(path, "Ssh:MaxUnauthenticated") + $": Ssh:MaxUnauthenticated = {o.Ssh.MaxUnauthenticated} must be between 1 and 100000");
        if (o.Ssh.MaxQueued is < 0 or > 100_000)
            errors.Add(Locate(path, "Ssh:MaxQueued") + $": Ssh:MaxQueued = {o.Ssh.MaxQueued} must be between 0 and 100000 (0: refuse when all slots are taken)");
        if (o.Recording.Store is not ("file" or "s3"))
            errors.Add(Locate(path, "Recording:Store") + $": Recording:Store = '{o.Recording.Store}' must be file or s3");
        if (o.Recording.ChunkKiB is < 16 or > 65536)
            errors.Add(Locate(path, "Recording:ChunkKiB") + $": Recording:ChunkKiB = {o.Recording.ChunkKiB} must be between 16 and 65536");
        if (o.Recording.MaxChunkAgeSeconds is < 1 or > 3600)
            errors.Add(Locate(path, "Recording:MaxChunkAgeSeconds") + $": Recording:MaxChunkAgeSeconds = {o.Recording.MaxChunkAgeSeconds} must be between 1 and 3600");
        if (o.Recording.Mode is not ("best-effort" or "strict"))
            errors.Add(Locate(path, "Recording:Mode") + $": Recording:Mode = '{o.Recording.Mode}' must be best-effort or strict");
        // The S3 keys matter only when S3 is chosen; each problem names its own key, which is located like the others.
        if (o.Recording.Store == "s3")
            foreach (string problem in o.Recording.S3.Validate())
                errors.Add(Locate(path, problem.Split(' ')[0]) + ": " + problem);
        if (o.Ssh.ProxyProtocol && o.Ssh.TrustedProxies.Count == 0)
            errors.Add(Locate(path, "Ssh:TrustedProxies") + ": Ssh:TrustedProxies must list the load balancers' addresses when Ssh:ProxyProtocol is true");
        foreach (string proxy in o.Ssh.TrustedProxies.Where(p => !System.Net.IPNetwork.TryParse(p, out _) && !System.Net.IPAddress.TryParse(p, out _)))
            errors.Add(Locate(path, "Ssh:TrustedProxies") + $": Ssh:TrustedProxies has '{proxy}', which is not an address or CIDR");
        Duration("Node:HeartbeatInterval", o.Node.HeartbeatInterval);
        Duration("Node:DeadAfter", o.Node.DeadAfter);
        foreach (string problem in o.Web.Validate().Concat(o.Metadata.Validate()).Concat(o.Node.Validate()).Concat(o.Health.Validate())
                     .Concat(o.Audit.Validate()).Concat(o.Alerts.Validate()).Concat(o.Review.Validate()).Concat(o.Oidc.Validate()).Concat(o.Cluster.Validate()))
            errors.Add(Locate(path, problem.Split(' ')[0]) + ": " + problem);
        if (errors.Count > 0) throw new ConfigurationException(string.Join(Environment.NewLine, errors));
    }

    public static bool TryParseEndPoint(string value, out System.Net.IPEndPoint? endPoint) =>
        System.Net.IPEndPoint.TryParse(value, out endPoint) && endPoint.Port > 0;

    /// <summary>"file:line" of a key in the JSON file, or where the override came from.</summary>
    private static string Locate(string path, string key)
    {
        string variable = EnvironmentPrefix + key.Replace(":", "__");
        if (Environment.GetEnvironmentVariable(variable) is not null) return $"environment {variable}";
        if (!File.Exists(path)) return path;
        int? line = FindLine(File.ReadAllBytes(path), key.Split(':'));
        return line is null ? path : $"{path}:{line}";
    }

    private static int? FindLine(byte[] json, string[] keyPath)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new List<string>();
        string? pending = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pending = reader.GetString();
                    var candidate = stack.Append(pending ?? "").ToArray();
                    if (candidate.Length == keyPath.Length && candidate.Zip(keyPath).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)))
                        return 1 + json.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
                    break;
                case JsonTokenType.StartObject:
                    if (pending is not null) stack.Add(pending);
                    pending = null;
                    break;
                case JsonTokenType.EndObject:
                    if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                    break;
                default:
                    pending = null;
                    break;
            }
        }
        return null;
    }

    /// <summary>The commented configuration written by <c>fumidai init</c>.</summary>
    /// <param name="metadataProvider">Written into the file, so every later command knows where the metadata is.</param>
    public static string DefaultFileText(string metadataProvider = MetadataOptions.SqliteProvider)
    {
        var text = new StringBuilder();
        text.AppendLine("// Fumidai configuration. Every key can be overridden by an environment variable such as");
        text.AppendLine("// FUMIDAI__Ssh__Listen=127.0.0.1:2222. Durations are written 90s, 15m, 8h.");
        text.AppendLine("{");
        text.AppendLine("  \"Ssh\": {");
        text.AppendLine("    \"Listen\": \"0.0.0.0:2222\",");
        text.AppendLine("    \"LoginGraceTime\": \"30s\",");
        text.AppendLine("    \"MaxAuthTries\": 6");
        text.AppendLine("  },");
        text.AppendLine("  // Lockout may only be made stricter: at most 10 attempts, at least 30m (PCI DSS 8.3.4).");
        text.AppendLine("  \"Security\": {");
        text.AppendLine("    \"LockoutThreshold\": 10,");
        text.AppendLine("    \"LockoutDuration\": \"30m\"");
        text.AppendLine("  },");
        text.AppendLine("  // Idle sessions close after at most 15m (PCI DSS 8.2.8); roles may shorten it. On SIGTERM running");
        text.AppendLine("  // sessions may finish for DrainTimeout, then they are cut; a second SIGTERM cuts them at once.");
        text.AppendLine("  \"Sessions\": {");
        text.AppendLine("    \"IdleTimeout\": \"15m\",");
        text.AppendLine("    \"DrainTimeout\": \"60s\"");
        text.AppendLine("  },");
        text.AppendLine("  \"Targets\": {");
        text.AppendLine("    \"ConnectTimeout\": \"10s\",");
        text.AppendLine("    \"CertificateLifetime\": \"5m\",");
        text.AppendLine("    // Certificates work only from this address: auto (the bastion's own), the NAT address the targets see, or \"\".");
        text.AppendLine("    \"CertificateSourceAddress\": \"auto\"");
        text.AppendLine("  },");
        text.AppendLine("  \"Recording\": {");
        text.AppendLine("    \"Store\": \"file\",");
        text.AppendLine("    \"Mode\": \"best-effort\"");
        text.AppendLine("  },");
        text.AppendLine("  // The web console for admins and auditors (HTTPS only). Certificate/CertificateKey: PEM files replacing");
        text.AppendLine("  // the self-signed web_cert.pem made by init. Enabled: false turns it off.");
        text.AppendLine("  \"Web\": {");
        text.AppendLine("    \"Enabled\": true,");
        text.AppendLine("    \"Listen\": \"0.0.0.0:8443\",");
        text.AppendLine("    \"IdleTimeout\": \"15m\"");
        text.AppendLine("  },");
        text.AppendLine("  // GET /healthz (200 ready, 503 draining or metadata store down) and GET /metrics (Prometheus) for load");
        text.AppendLine("  // balancers and monitoring: plain HTTP without authentication, so loopback unless a management network.");
        text.AppendLine("  \"Health\": {");
        text.AppendLine("    \"Enabled\": true,");
        text.AppendLine("    \"Listen\": \"127.0.0.1:9090\"");
        text.AppendLine("  },");
        text.AppendLine("  // sqlite: fumidai.db in this folder; postgres: the database in FUMIDAI__Metadata__Postgres__ConnectionString.");
        text.AppendLine("  \"Metadata\": {");
        text.AppendLine($"    \"Provider\": \"{metadataProvider}\"");
        text.AppendLine("  }");
        text.AppendLine("  // Audit export and alerts (off by default), e.g.:");
        text.AppendLine("  // \"Audit\": { \"Syslog\": { \"Address\": \"tls://siem.example.net:6514\", \"CaFile\": \"/etc/fumidai/siem-ca.pem\" }, \"Stdout\": false },");
        text.AppendLine("  // \"Alerts\": { \"Webhook\": { \"Url\": \"https://alerts.example.net/fumidai\", \"SecretFile\": \"/etc/fumidai/webhook.secret\" } },");
        text.AppendLine("  // \"Review\": { \"WorkingHours\": \"07:00-19:00\", \"TimeZone\": \"UTC\" }  (fumidai audit summary)");
        text.AppendLine("}");
        return text.ToString();
    }
}
