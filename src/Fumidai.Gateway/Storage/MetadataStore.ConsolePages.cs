using System.Data.Common;
using System.Text.Json;
using Fumidai.Gateway.Audit;

namespace Fumidai.Gateway.Storage;

public sealed partial class MetadataStore
{
    /// <summary>One page of sessions, filtered and sorted in the database, with each recording's last verification result.</summary>
    public async Task<Page<SessionListEntry>> QuerySessionPageAsync(SessionPageQuery query, CancellationToken cancellationToken = default)
    {
        if (!SessionPageQuery.SortColumns.TryGetValue(query.Sort, out var column)) throw new ArgumentException($"unknown sort key '{query.Sort}'", nameof(query));
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        void Filter(string condition, string name, object? value)
        {
            where.Add(condition);
            parameters.Add((name, value));
        }
        if (query.User is not null) Filter("s.user_name = @user", "@user", query.User);
        if (query.Target is not null) Filter("s.target = @target", "@target", query.Target);
        if (query.From is { } from) Filter("s.started >= @from", "@from", Time(from));
        if (query.To is { } to) Filter("s.started < @to", "@to", Time(to));
        if (query.Status is not null) Filter("s.status = @status", "@status", query.Status);
        if (query.Text is { Length: > 0 } text)
            Filter($"(s.id {_dialect.CaseInsensitiveLike} @text ESCAPE '\\' OR s.command {_dialect.CaseInsensitiveLike} @text ESCAPE '\\' OR EXISTS (SELECT 1 FROM session_commands c "
                + $"WHERE c.session_id = s.id AND c.command {_dialect.CaseInsensitiveLike} @text ESCAPE '\\'))", "@text", "%" + EscapeLike(text) + "%");
        string filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        int total;
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = $"SELECT COUNT(*) FROM sessions s {filter}";
            foreach (var (name, value) in parameters) Add(count, name, value);
            total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
        await using var command = connection.CreateCommand();
        string direction = query.Descending ? "DESC" : "ASC";
        command.CommandText = $"""
            SELECT s.id, s.user_name, s.target, s.login, s.kind, s.command, s.source, s.started, s.ended, s.status, s.end_reason,
                   s.bytes_in, s.bytes_out, s.recording, k.verified, k.problem
            FROM sessions s LEFT JOIN recording_checks k ON k.session_id = s.id
            {filter} ORDER BY {column} {direction}, s.id {direction} LIMIT @limit OFFSET @offset
            """;
        foreach (var (name, value) in parameters) Add(command, name, value);
        Add(command, "@limit", query.PageSize);
        Add(command, "@offset", (long)(query.Page - 1) * query.PageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<SessionListEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            items.Add(new SessionListEntry(ReadSession(reader), reader.IsDBNull(14) ? null : reader.GetInt64(14) != 0, reader.IsDBNull(15) ? null : reader.GetString(15)));
        return new Page<SessionListEntry>(items, total);
    }

    /// <summary>One page of the audit log, newest first, filtered by type, user and time.</summary>
    public async Task<Page<AuditEvent>> QueryAuditPageAsync(string? type, string? user, DateTimeOffset? from, DateTimeOffset? to, int page, int pageSize,
        CancellationToken cancellationToken = default)
    {
        var (where, parameters) = AuditFilter(type, user, from, to);
        string filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        int total;
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = "SELECT COUNT(*) FROM audit" + filter;
            foreach (var (name, value) in parameters) Add(count, name, value);
            total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, time, type, user_name, outcome, source, target, details FROM audit" + filter
            + " ORDER BY seq DESC LIMIT @limit OFFSET @offset";
        foreach (var (name, value) in parameters) Add(command, name, value);
        Add(command, "@limit", pageSize);
        Add(command, "@offset", (long)(page - 1) * pageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) events.Add(ReadAuditRow(reader));
        return new Page<AuditEvent>(events, total);
    }

    private static AuditEvent ReadAuditRow(DbDataReader reader) =>
        new(ParseTime(reader.GetString(1)), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)) ?? [])
        {
            Sequence = reader.GetInt64(0),
        };

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
