using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>role add|set --auth totp|sso</c>: whether the role's holders confirm SSH logins with a TOTP code or an approval through the IdP.</summary>
internal sealed class RoleAuthOption
{
    public Option<string?> Auth { get; } = new("--auth")
    {
        Description = "Second factor for SSH logins after key or password: totp (a code, the default) or sso (approve in the browser "
            + "through the identity provider, Oidc:*); a user holding any sso role approves",
        HelpName = "totp|sso",
    };

    public void AddTo(Command command) => command.Options.Add(Auth);

    /// <summary>The method given, checked; null when the option was left out.</summary>
    public string? Read(ParseResult result) => result.GetValue(Auth) switch
    {
        null => null,
        { } value when RoleAuthMethods.All.Contains(value.Trim().ToLowerInvariant()) => value.Trim().ToLowerInvariant(),
        { } value => throw CliException.Usage($"--auth: unknown method '{value}'; use {string.Join(" or ", RoleAuthMethods.All)}"),
    };

    /// <summary>Stores the method when one was given and adds it to the audit details.</summary>
    public async Task SaveAsync(MetadataStore store, ParseResult result, string role, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        if (Read(result) is not { } method) return;
        await store.SetRoleAuthAsync(role, method, cancellationToken).ConfigureAwait(false);
        details["auth"] = method;
    }
}
