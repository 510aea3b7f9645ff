using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Keys;
using Fumidai.Cli.Totp;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user add NAME [--key FILE]... [--password-stdin] [--role ROLE]... [--qr-png FILE] [--machine --from CIDR]</c>.</summary>
public static class UserAddCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var name = new Argument<string>("NAME") { Description = "The user's login name at the bastion" };
        var keys = new Option<string[]>("--key") { Description = "Public key file (.pub); repeat for several", HelpName = "FILE" };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = $"Read a password from the first line of stdin (at least {PasswordHasher.MinimumLength} characters, letters and digits)",
        };
        var roles = new Option<string[]>("--role") { Description = "Role to grant; repeat or separate with commas (default: user)", HelpName = "ROLE" };
        var qrPng = new Option<string?>("--qr-png") { Description = "Also write the TOTP QR code to this PNG file", HelpName = "FILE" };
        var command = new Command("add", "Add a user with a new TOTP secret; prints the otpauth:// URI and a QR code to scan")
        {
            name, keys, passwordStdin, roles, qrPng,
        };
        var machine = new MachineAccountOptions();
        machine.AddTo(command);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string user = InputValidation.Name("user", result.GetValue(name));
            string? png = result.GetValue(qrPng);
            if (png is not null) InputValidation.OutputFile("--qr-png", png);
            var publicKeys = (result.GetValue(keys) ?? []).SelectMany(f => PublicKeyFile.Read("--key", f)).ToList();
            string? allowedFrom = machine.Read(result, result.GetValue(passwordStdin), png is not null, publicKeys.Count);
            string? passwordHash = result.GetValue(passwordStdin) ? PasswordInput.ReadAndHash(context.In) : null;

            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var requested = result.GetValue(roles) is { Length: > 0 } given ? given : [BuiltInRoles.User];
            var granted = await InputValidation.RolesAsync(store, requested, context.CancellationToken).ConfigureAwait(false);
            if (await store.GetUserAsync(user, context.CancellationToken).ConfigureAwait(false) is not null)
                throw CliException.Conflict($"user '{user}' already exists");
            if (allowedFrom is not null)
            {
                await MachineAccountOptions.AddAsync(context, store, user, granted, publicKeys, allowedFrom).ConfigureAwait(false);
                return;
            }

            var users = await context.UsersAsync().ConfigureAwait(false);
            var enrolment = TotpEnrolment.From(await users.AddAsync(user, granted, publicKeys, passwordHash, context.Data.LoadProtector(), context.CancellationToken)
                .ConfigureAwait(false));
            enrolment.Print(context.Out);
            if (png is not null) enrolment.WritePng(png);
            if (publicKeys.Count == 0 && passwordHash is null)
                context.Error.WriteLine($"fumidai: warning: {user} has no key and no password yet; add one with `fumidai user key add {user} FILE`");
        }, ct));
        return command;
    }
}
