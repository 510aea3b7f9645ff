using System.CommandLine;
using System.Net;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Keys;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary><c>user add NAME --machine --key FILE --role R --from CIDR[,CIDR]</c>: an account for automation, with no TOTP.</summary>
internal sealed class MachineAccountOptions
{
    public Option<bool> Machine { get; } = new("--machine")
    {
        Description = "A machine account (CI, Ansible): key or certificate only, no TOTP, only from --from",
    };

    public Option<string[]> From { get; } = new("--from")
    {
        Description = "With --machine (required): addresses or CIDR blocks it may log in from, comma-separated",
        HelpName = "CIDR[,CIDR]",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Machine);
        command.Options.Add(From);
    }

    /// <summary>The allowed addresses as stored (normalised, comma-separated), or null for a person; refuses options that do not fit.</summary>
    public string? Read(ParseResult result, bool password, bool qrPng, int keys)
    {
        var given = (result.GetValue(From) ?? []).SelectMany(InputValidation.SplitList).ToList();
        if (!result.GetValue(Machine))
        {
            if (given.Count > 0) throw CliException.Usage("--from: only machine accounts are limited by address; add --machine");
            return null;
        }
        if (given.Count == 0) throw CliException.Usage("--from: a machine account needs the addresses it may log in from (e.g. --from 10.0.4.0/24)");
        if (password) throw CliException.Usage("--password-stdin: a machine account logs in with a key, never a password");
        if (qrPng) throw CliException.Usage("--qr-png: a machine account has no TOTP");
        if (keys == 0) throw CliException.Usage("--key: a machine account needs its public key");
        foreach (var entry in given)
        {
            try
            {
                AddressList.Contains(entry, IPAddress.Loopback);
            }
            catch (FormatException)
            {
                throw CliException.Usage($"--from: '{entry}' is not an address or CIDR block");
            }
        }
        return string.Join(',', given);
    }

    /// <summary>Adds the machine account: the user without TOTP or password, then its addresses.</summary>
    public static async Task AddAsync(CliContext context, MetadataStore store, string user, IReadOnlyList<string> roles,
        IReadOnlyList<(SshPublicKey Key, string Comment)> keys, string allowedFrom)
    {
        var record = new UserRecord(user, roles, false, null, null, DateTimeOffset.UtcNow);
        if (!await store.AddUserAsync(record, context.CancellationToken).ConfigureAwait(false))
            throw CliException.Conflict($"user '{user}' already exists");
        await store.AddMachineAccountAsync(user, allowedFrom, context.CancellationToken).ConfigureAwait(false);
        foreach (var (key, comment) in keys)
            await store.AddUserKeyAsync(new UserKeyRecord(user, key.Fingerprint, key.ToString(), comment), context.CancellationToken).ConfigureAwait(false);
        await context.RecordChangeAsync("user.add", user, details: new Dictionary<string, string>
        {
            ["kind"] = "machine",
            ["from"] = allowedFrom,
            ["roles"] = string.Join(',', roles),
            ["keys"] = string.Join(',', keys.Select(k => k.Key.Fingerprint).Distinct()),
        }).ConfigureAwait(false);
        context.Out.WriteLine($"added machine account {user}: key only, from {allowedFrom}, roles {string.Join(',', roles)}");
    }
}
