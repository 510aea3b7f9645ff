using System.CommandLine;
using System.Globalization;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Audit;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user revoke-certs NAME</c>: every login certificate of the user stops working at once.</summary>
public static class UserRevokeCertsCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var command = new Command("revoke-certs", "Revoke a user's login certificates: her next login needs her key and a code again") { name };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            int revoked = await store.RevokeLoginCertificatesAsync(user.Name, DateTimeOffset.UtcNow, context.CancellationToken).ConfigureAwait(false);
            await context.RecordAsync(AuditTypes.CertificatesRevoked, "user.revoke-certs", user.Name, details: new Dictionary<string, string>
            {
                ["revoked"] = revoked.ToString(CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            context.Out.WriteLine($"{user.Name}: {revoked} login certificate(s) revoked");
        }, ct));
        return command;
    }
}
