using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore : ISessionStartStore
{
    /// <summary>One command: the login facts' five statements, then the roles and the targets, each as its own read does it.</summary>
    public async Task<SessionStartFacts> GetSessionStartFactsAsync(string userName, string source, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            {LoginFactsStatements};
            {RoleQuery};
            {TargetQuery("")}
            """;
        Add(command, "@user", userName);
        Add(command, "@source", source);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var facts = await ReadLoginFactsAsync(reader, now, cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var roles = new List<AccessRole>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) roles.Add(ReadRole(reader));
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var targets = new List<TargetRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) targets.Add(ReadTarget(reader));
        return new SessionStartFacts(facts, roles, targets);
    }
}
