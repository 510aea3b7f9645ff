using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Infrastructure;

/// <summary>Turns what a user typed for a session (its id, or a unique start of it, as git takes hashes) into the session.</summary>
public static class SessionIds
{
    private const int CandidatesShown = 10;

    /// <summary>The session, or a usage error naming the candidates when the prefix fits several, or not-found.</summary>
    public static async Task<SessionRecord> RequireAsync(MetadataStore store, string typed, CancellationToken cancellationToken) =>
        await FindAsync(store, typed, cancellationToken).ConfigureAwait(false)
            ?? throw CliException.NotFound($"session '{typed}' does not exist");

    /// <summary>The session the id or unique prefix names, null when none does; ambiguity is an error.</summary>
    public static async Task<SessionRecord?> FindAsync(MetadataStore store, string typed, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(typed) || typed.Length > 128) throw CliException.Usage($"invalid session id '{typed}'");
        if (await store.GetSessionAsync(typed, cancellationToken).ConfigureAwait(false) is { } exact) return exact;
        var candidates = await store.FindSessionsByPrefixAsync(typed, CandidatesShown + 1, cancellationToken).ConfigureAwait(false);
        if (candidates.Count <= 1) return candidates.Count == 1 ? candidates[0] : null;
        var lines = candidates.Take(CandidatesShown).Select(s => $"  {s.Id}  {s.User}@{s.Target}  {Output.TableWriter.Time(s.Start)}");
        string more = candidates.Count > CandidatesShown ? $"\n  ... and more; type more of the id" : "";
        throw CliException.Usage($"session id '{typed}' is ambiguous; it starts:\n{string.Join('\n', lines)}{more}");
    }
}
