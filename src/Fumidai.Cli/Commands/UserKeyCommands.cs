using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Keys;
using Fumidai.Gateway.Identity;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user key add|remove NAME FILE</c>: a user's public keys (first factor).</summary>
public static class UserKeyCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("key", "Add or remove a user's public keys");
        command.Subcommands.Add(Add(runtime));
        command.Subcommands.Add(Remove(runtime));
        return command;
    }

    private static Command Add(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var file = new Argument<string>("FILE") { Description = "Public key file (.pub), one or more keys" };
        var command = new Command("add", "Add the public keys in FILE to a user") { name, file };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var keys = PublicKeyFile.Read("FILE", result.GetValue(file)!);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var added = await (await context.UsersAsync().ConfigureAwait(false)).AddKeysAsync(user, keys, context.CancellationToken).ConfigureAwait(false);
            foreach (var fingerprint in added) context.Out.WriteLine($"{user.Name}: added {fingerprint}");
        }, ct));
        return command;
    }

    private static Command Remove(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var file = new Argument<string>("FILE") { Description = "Public key file (.pub), or a fingerprint SHA256:..." };
        var command = new Command("remove", "Remove a public key from a user") { name, file };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string given = result.GetValue(file)!;
            // A fingerprint is accepted too: the admin may no longer have the .pub file of a key to revoke.
            var fingerprints = given.StartsWith("SHA256:", StringComparison.Ordinal) && !File.Exists(given)
                ? [given]
                : PublicKeyFile.Read("FILE", given).Select(k => k.Key.Fingerprint).ToArray();
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var removed = await (await context.UsersAsync().ConfigureAwait(false)).RemoveKeysAsync(user, fingerprints, context.CancellationToken)
                .ConfigureAwait(false);
            foreach (var fingerprint in removed) context.Out.WriteLine($"{user.Name}: removed {fingerprint}");
        }, ct));
        return command;
    }
}
