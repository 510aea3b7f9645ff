using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Identity.Idp;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user sync</c>: asks the IdP about every user who signed in through it; leavers are disabled and their sessions end.</summary>
public static class UserSyncCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var names = new Argument<string[]>("NAME") { Description = "Only these users (default: every user whose IdP sign-in is kept)", Arity = ArgumentArity.ZeroOrMore };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would change; change nobody" };
        var json = CliRuntime.JsonOption();
        var command = new Command("sync",
            "Ask the identity provider about users who signed in through it (with the refresh token kept from their last sign-in): "
            + "a user it no longer knows, or whose groups map to no role, is disabled and her sessions end on every node; changed groups "
            + "rewrite her roles. If the IdP cannot be asked about someone, she is left as she is and the exit code is 1.")
        {
            names, dryRun, json,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var options = context.Options.Oidc;
            if (!options.Enabled) throw new CliException(ExitCodes.Configuration, "Oidc:Authority is not set: there is no identity provider to sync with");
            var only = result.GetValue(names) is { Length: > 0 } given ? given.Distinct(StringComparer.Ordinal).ToList() : null;
            foreach (string name in only ?? [])
                await UserCommands.RequireUserAsync(store, name, context.CancellationToken).ConfigureAwait(false);
            using var idp = new IdpClient(options);
            var sync = new LeaverSync(store, await context.AuditAsync().ConfigureAwait(false), options, context.Data.LoadProtector(), idp, CliContext.Actor)
            {
                DryRun = result.GetValue(dryRun),
            };
            var results = (await sync.RunAsync(only, context.CancellationToken).ConfigureAwait(false)).ToList();
            foreach (string name in only ?? [])
            {
                if (!results.Any(r => r.User == name))
                    results.Add(new LeaverSyncResult(name, LeaverSync.Error, [], "no IdP sign-in of hers is kept: she has not signed in through the IdP yet"));
            }
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, results);
            }
            else if (results.Count == 0)
            {
                context.Out.WriteLine("no user has signed in through the identity provider yet; nothing to sync");
            }
            else
            {
                var table = new TableWriter("USER", "RESULT", "ROLES", "REASON");
                foreach (var r in results) table.Add(r.User, r.Status, string.Join(',', r.Roles), r.Reason ?? "");
                table.Write(context.Out);
            }
            int failed = results.Count(r => r.Status == LeaverSync.Error);
            if (failed > 0)
                throw CliException.Failure($"{failed} of {results.Count} user(s) could not be checked against the identity provider; they were left as they are");
        }, ct));
        return command;
    }
}
