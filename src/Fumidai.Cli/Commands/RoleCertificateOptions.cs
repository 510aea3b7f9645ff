using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>role add|set --mfa-ttl --mfa-source-bound</c>: how long the login certificates of the role's holders last.</summary>
internal sealed class RoleCertificateOptions
{
    public Option<string?> Ttl { get; } = new("--mfa-ttl")
    {
        Description = "Lifetime of login certificates issued after key + TOTP (`ssh USER@bastion cert`), at most 12h; 0 turns them off (the default)",
        HelpName = "DURATION",
    };

    public Option<bool?> SourceBound { get; } = new("--mfa-source-bound")
    {
        Description = "Bind login certificates to the address they were issued to (source-address)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Ttl);
        command.Options.Add(SourceBound);
    }

    /// <summary>The role's setting as the command line changes it, or null when neither option was given.</summary>
    public RoleLoginCertificates? Read(ParseResult result, string role, RoleLoginCertificates? current)
    {
        string? ttl = result.GetValue(Ttl);
        bool? bound = result.GetValue(SourceBound);
        if (ttl is null && bound is null) return null;
        var lifetime = ttl switch
        {
            null => current?.Lifetime ?? TimeSpan.Zero,
            "0" => TimeSpan.Zero,
            _ => InputValidation.Duration("--mfa-ttl", ttl),
        };
        if (lifetime > LoginCertificateAuthority.MaxLifetime)
            throw CliException.Usage($"--mfa-ttl: {Duration.Format(lifetime)} is longer than 12h; MFA is asked again at least once a working day");
        return new RoleLoginCertificates(role, lifetime, bound ?? current?.SourceBound ?? false);
    }

    /// <summary>Stores the setting when one was given and adds it to the audit details.</summary>
    public async Task SaveAsync(MetadataStore store, ParseResult result, string role, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        var current = (await store.ListRoleLoginCertificatesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.Role == role);
        if (Read(result, role, current) is not { } settings) return;
        await store.SetRoleLoginCertificatesAsync(settings, cancellationToken).ConfigureAwait(false);
        details["mfa_ttl"] = settings.Lifetime == TimeSpan.Zero ? "0" : Duration.Format(settings.Lifetime);
        details["mfa_source_bound"] = settings.SourceBound ? "true" : "false";
    }
}
