using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai user list</c> and <c>user show NAME</c>: what the bastion knows of its users (never their secrets).</summary>
public static class UserQueryCommands
{
    public static Command List(CliRuntime runtime)
    {
        var json = CliRuntime.JsonOption();
        var command = new Command("list", "List users with their roles and state") { json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var views = new List<UserView>();
            foreach (var user in await store.ListUsersAsync(context.CancellationToken).ConfigureAwait(false))
                views.Add(await ViewAsync(store, user, context.CancellationToken).ConfigureAwait(false));
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, views);
                return;
            }
            var table = new TableWriter("NAME", "KIND", "ROLES", "STATE", "TOTP", "KEYS", "PASSWORD");
            foreach (var v in views)
                table.Add(v.Name, v.Kind, string.Join(',', v.Roles), v.State, v.Totp ? "enrolled" : "none", v.Keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    v.Password ? "set" : "none");
            table.Write(context.Out);
        }, ct));
        return command;
    }

    public static Command Show(CliRuntime runtime)
    {
        var name = UserCommands.NameArgument();
        var json = CliRuntime.JsonOption();
        var command = new Command("show", "Show one user: roles, state, keys with fingerprints") { name, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var user = await UserCommands.RequireUserAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            var v = await ViewAsync(store, user, context.CancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, v);
                return;
            }
            var o = context.Out;
            o.WriteLine($"name:     {v.Name}");
            o.WriteLine($"kind:     {v.Kind}" + (v.AllowedFrom is null ? "" : $" (from {v.AllowedFrom})"));
            o.WriteLine($"roles:    {(v.Roles.Count == 0 ? "-" : string.Join(',', v.Roles))}");
            o.WriteLine($"state:    {v.State}" + (v.LockedUntil is null ? "" : $" until {v.LockedUntil}"));
            o.WriteLine($"totp:     {(v.Totp ? "enrolled" : "none")}");
            o.WriteLine($"password: {(v.Password ? "set" : "none")}");
            o.WriteLine($"created:  {v.Created}");
            o.WriteLine(v.Keys.Count == 0 ? "keys:     none" : "keys:");
            foreach (var key in v.Keys)
                o.WriteLine($"  {key.Type} {key.Fingerprint} {key.Comment}".TrimEnd());
        }, ct));
        return command;
    }

    private static async Task<UserView> ViewAsync(MetadataStore store, UserRecord user, CancellationToken cancellationToken)
    {
        var lockedUntil = await store.GetLockedUntilAsync(user.Name, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        var keys = await store.ListUserKeysAsync(user.Name, cancellationToken).ConfigureAwait(false);
        string state = user.Disabled ? "disabled" : lockedUntil is not null ? "locked" : "enabled";
        return new UserView(user.Name, user.Roles, state, user.Disabled, JsonOutput.Time(lockedUntil), user.HasTotp, user.PasswordHash is not null,
            keys.Select(k => new UserKeyView(k.PublicKey.Split(' ')[0], k.Fingerprint, k.Comment)).ToArray(), JsonOutput.Time(user.Created))
        {
            AllowedFrom = await store.GetMachineAccountAsync(user.Name, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>A user as shown and as written by <c>--json</c>.</summary>
    public sealed record UserView(string Name, IReadOnlyList<string> Roles, string State, bool Disabled, string? LockedUntil, bool Totp,
        bool Password, IReadOnlyList<UserKeyView> Keys, string Created)
    {
        /// <summary><c>machine</c> (key or certificate only, from <see cref="AllowedFrom"/>) or <c>person</c>.</summary>
        public string Kind => AllowedFrom is null ? "person" : "machine";

        public string? AllowedFrom { get; init; }
    }

    /// <summary>One of a user's public keys as shown.</summary>
    public sealed record UserKeyView(string Type, string Fingerprint, string Comment);
}
