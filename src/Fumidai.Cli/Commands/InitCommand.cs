using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Totp;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Web.Hosting;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai init [--admin NAME]</c>: creates the data directory and the first admin with a TOTP secret.</summary>
public static class InitCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var admin = new Option<string>("--admin")
        {
            Description = "Name of the first admin",
            HelpName = "NAME",
            DefaultValueFactory = _ => "admin",
        };
        var qrPng = new Option<string?>("--qr-png") { Description = "Also write the admin's TOTP QR code to this PNG file", HelpName = "FILE" };
        var command = new Command("init", "Create the data directory (database, host keys, user CA, audit key, master key, configuration) "
            + "and the first admin; prints the admin's TOTP enrolment. Refuses an existing, non-empty directory.")
        {
            admin,
            qrPng,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string name = InputValidation.Name("user", result.GetValue(admin));
            string? png = result.GetValue(qrPng);
            if (png is not null) InputValidation.OutputFile("--qr-png", png);
            var data = context.Data;
            if (Directory.Exists(data.Root) && Directory.EnumerateFileSystemEntries(data.Root).Any())
                throw CliException.Conflict($"{data.Root} already exists and is not empty; refusing to touch it");
            if (File.Exists(data.Root))
                throw CliException.Conflict($"{data.Root} is a file; refusing to touch it");

            var store = await data.InitializeAsync(context.CancellationToken).ConfigureAwait(false);
            context.UseStore(store);
            if (data.JoinedCluster)
            {
                await JoinedAsync(context, data).ConfigureAwait(false);
                return;
            }
            var enrolment = TotpEnrolment.Create(name, data.LoadProtector());
            await store.AddUserAsync(new UserRecord(name, [BuiltInRoles.Admin], false, enrolment.EncryptedSecret, null, DateTimeOffset.UtcNow),
                context.CancellationToken).ConfigureAwait(false);
            await context.RecordChangeAsync("init", details: new Dictionary<string, string> { ["data"] = data.Root }).ConfigureAwait(false);
            await context.RecordChangeAsync("user.add", name, details: new Dictionary<string, string> { ["roles"] = BuiltInRoles.Admin })
                .ConfigureAwait(false);
            await context.RecordAsync(AuditTypes.MfaEnrolled, "user.add", name).ConfigureAwait(false);
            string fingerprint = WebCertificate.Create(data);

            context.Out.WriteLine($"Initialised {data.Root}");
            context.Out.WriteLine($"Admin {name}: TOTP enrolment follows.");
            enrolment.Print(context.Out);
            if (png is not null) enrolment.WritePng(png);
            context.Out.WriteLine($"Give {name} a first factor: fumidai user key add {name} KEY.pub");
            context.Out.WriteLine($"Web console certificate {WebCertificate.CertificatePath(data)} (self-signed), SHA-256 fingerprint:");
            context.Out.WriteLine($"  {fingerprint}");
            context.Out.WriteLine($"Console sign-in needs a password: fumidai user set-password {name} --password-stdin");
        }, ct));
        return command;
    }

    /// <summary>A new node of an existing cluster: its keys and users are the cluster's, so no admin is made.</summary>
    private static async Task JoinedAsync(CliContext context, Gateway.DataDirectory data)
    {
        await context.RecordChangeAsync("init", details: new Dictionary<string, string> { ["data"] = data.Root, ["joined"] = "true" }).ConfigureAwait(false);
        string fingerprint = WebCertificate.Create(data);
        context.Out.WriteLine($"Initialised {data.Root}: joined the cluster in the metadata database (its host keys, CAs and audit key; its users).");
        context.Out.WriteLine($"Web console certificate {WebCertificate.CertificatePath(data)} (self-signed), SHA-256 fingerprint:");
        context.Out.WriteLine($"  {fingerprint}");
    }
}
