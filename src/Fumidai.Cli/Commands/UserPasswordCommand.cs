using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Identity;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user set-password NAME --password-stdin</c>: the first factor for SSH password logins and the web console.</summary>
public static class UserPasswordCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = $"Read the password from the first line of stdin (at least {PasswordHasher.MinimumLength} characters, letters and digits)",
            Required = true,
        };
        var command = new Command("set-password", "Set or replace a user's password (Argon2id); she still needs her TOTP code with it") { name, passwordStdin };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            // Read and checked before anything is opened: a refused password changes nothing.
            string hash = PasswordInput.ReadAndHash(context.In);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            await store.SetPasswordHashAsync(user.Name, hash, context.CancellationToken).ConfigureAwait(false);
            await context.RecordChangeAsync("user.set-password", user.Name).ConfigureAwait(false);
            context.Out.WriteLine($"password of {user.Name} set");
        }, ct));
        return command;
    }
}
