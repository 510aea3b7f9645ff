using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user lock NAME [--for DURATION]</c>: incident response; no logins until unlocked, and her open sessions end.</summary>
public static class UserLockCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var duration = new Option<string?>("--for")
        {
            Description = "Lock for this long, e.g. 2h (default: until `fumidai user unlock`)",
            HelpName = "DURATION",
        };
        var command = new Command("lock", "Lock a user: no logins until `user unlock`, and every open session and connection of hers ends")
        {
            name, duration,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            TimeSpan? lockFor = result.GetValue(duration) is { } d ? InputValidation.Duration("--for", d) : null;
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var until = lockFor is { } span ? DateTimeOffset.UtcNow + span : DateTimeOffset.MaxValue;
            await store.LockUserAsync(user.Name, until, context.CancellationToken).ConfigureAwait(false);
            await UserCommands.RevokeAsync(context, store, RevocationScopes.User, user.Name, "locked").ConfigureAwait(false);
            await context.RecordAsync(AuditTypes.Lockout, "user.lock", user.Name, details: new Dictionary<string, string>
            {
                ["until"] = lockFor is null ? "unlock" : until.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            context.Out.WriteLine($"{user.Name}: locked {(lockFor is { } l ? "for " + Duration.Format(l) : "until `fumidai user unlock`")}; "
                + "her open sessions end within seconds");
        }, ct));
        return command;
    }
}
