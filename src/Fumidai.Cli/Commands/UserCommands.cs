using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Totp;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user …</c>: people who log in to the bastion, their roles, keys, state and TOTP.</summary>
public static class UserCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("user", "Manage users: add, list, show, set roles, keys, disable/enable, lock/unlock, reset MFA, set a password, sync with the IdP");
        command.Subcommands.Add(UserAddCommand.Create(runtime));
        command.Subcommands.Add(UserQueryCommands.List(runtime));
        command.Subcommands.Add(UserQueryCommands.Show(runtime));
        command.Subcommands.Add(Set(runtime));
        command.Subcommands.Add(UserKeyCommands.Create(runtime));
        command.Subcommands.Add(Disable(runtime));
        command.Subcommands.Add(Enable(runtime));
        command.Subcommands.Add(UserLockCommand.Create(runtime));
        command.Subcommands.Add(Unlock(runtime));
        command.Subcommands.Add(ResetMfa(runtime));
        command.Subcommands.Add(UserPasswordCommand.Create(runtime));
        command.Subcommands.Add(UserRevokeCertsCommand.Create(runtime));
        command.Subcommands.Add(UserSyncCommand.Create(runtime));
        return command;
    }

    /// <summary>The argument every user subcommand starts with.</summary>
    public static Argument<string> NameArgument() => new("NAME") { Description = "The user's name" };

    /// <summary>The user, or a not-found error naming it.</summary>
    public static Task<UserRecord> RequireUserAsync(MetadataStore store, string name, CancellationToken cancellationToken) =>
        AdminRules.RequireUserAsync(store, name, cancellationToken);

    /// <summary>Asks every running bastion to re-check (or end) the user's open connections; they act within seconds.</summary>
    internal static Task RevokeAsync(CliContext context, MetadataStore store, string scope, string? user, string reason, string? session = null) =>
        store.AddRevocationAsync(scope, user, session, reason, Environment.UserName, context.CancellationToken);

    private static Command Set(CliRuntime runtime)
    {
        var name = NameArgument();
        var roles = new Option<string[]>("--role")
        {
            Description = "The user's roles from now on (replaces the current ones); repeat or separate with commas",
            HelpName = "ROLE",
            Required = true,
        };
        var command = new Command("set", "Replace a user's roles; open sessions the new roles do not allow end") { name, roles };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var granted = await (await context.UsersAsync().ConfigureAwait(false)).SetRolesAsync(user, result.GetValue(roles) ?? [], context.CancellationToken)
                .ConfigureAwait(false);
            context.Out.WriteLine($"{user.Name}: roles {string.Join(',', granted)}");
        }, ct));
        return command;
    }

    private static Command Disable(CliRuntime runtime)
    {
        var name = NameArgument();
        var reason = new Option<string?>("--reason") { Description = "Why, kept with the request that ends her sessions and audited", HelpName = "TEXT" };
        var command = new Command("disable", "Disable a user: no new logins, and her open sessions and connections end") { name, reason };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string? why = result.GetValue(reason)?.Trim();
            if (why is not null && AdminReason.Problem(why) is { } problem) throw CliException.Usage("--reason: " + problem);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            await UserAccess.DisableAsync(store, await context.AuditAsync().ConfigureAwait(false), user, why, CliContext.Actor, context.CancellationToken)
                .ConfigureAwait(false);
            context.Out.WriteLine($"{user.Name}: disabled");
        }, ct));
        return command;
    }

    private static Command Enable(CliRuntime runtime)
    {
        var name = NameArgument();
        var command = new Command("enable", "Enable a disabled user") { name };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            await UserAccess.EnableAsync(store, await context.AuditAsync().ConfigureAwait(false), user, CliContext.Actor, context.CancellationToken)
                .ConfigureAwait(false);
            context.Out.WriteLine($"{user.Name}: enabled");
        }, ct));
        return command;
    }

    private static Command Unlock(CliRuntime runtime)
    {
        var name = NameArgument();
        var command = new Command("unlock", "Clear a user's failed-login count and lockout") { name };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            bool wasLocked = await (await context.UsersAsync().ConfigureAwait(false)).UnlockAsync(user, context.CancellationToken).ConfigureAwait(false);
            context.Out.WriteLine(wasLocked ? $"{user.Name}: unlocked" : $"{user.Name}: was not locked; failure count cleared");
        }, ct));
        return command;
    }

    private static Command ResetMfa(CliRuntime runtime)
    {
        var name = NameArgument();
        var qrPng = new Option<string?>("--qr-png") { Description = "Also write the new TOTP QR code to this PNG file", HelpName = "FILE" };
        var command = new Command("reset-mfa", "Give a user a new TOTP secret (codes of the old one stop working); prints the enrolment")
        {
            name, qrPng,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string? png = result.GetValue(qrPng);
            if (png is not null) InputValidation.OutputFile("--qr-png", png);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var enrolment = TotpEnrolment.From(await (await context.UsersAsync().ConfigureAwait(false))
                .ResetMfaAsync(user, context.Data.LoadProtector(), context.CancellationToken).ConfigureAwait(false));
            enrolment.Print(context.Out);
            if (png is not null) enrolment.WritePng(png);
        }, ct));
        return command;
    }
}
