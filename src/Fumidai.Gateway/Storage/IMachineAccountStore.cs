namespace Fumidai.Gateway.Storage;

/// <summary>Machine accounts: users that log in with a key or certificate alone, only from the addresses they were given.</summary>
public interface IMachineAccountStore
{
    /// <summary>Marks an existing user as a machine account allowed from <paramref name="allowedFrom"/> (addresses and CIDRs, comma-separated).</summary>
    Task<bool> AddMachineAccountAsync(string userName, string allowedFrom, CancellationToken cancellationToken = default);

    /// <summary>The addresses a machine account may log in from, or null for a person.</summary>
    Task<string?> GetMachineAccountAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Every machine account with its allowed addresses.</summary>
    Task<IReadOnlyDictionary<string, string>> ListMachineAccountsAsync(CancellationToken cancellationToken = default);
}
