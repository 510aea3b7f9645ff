using System.Data.Common;

namespace Fumidai.Gateway.Storage.Dialects;

/// <summary>What differs between the databases <see cref="MetadataStore"/> runs on; every other statement is shared SQL.</summary>
internal abstract class MetadataDialect : IAsyncDisposable
{
    /// <summary>The provider's name as configured (<c>sqlite</c>, <c>postgres</c>).</summary>
    public abstract string Name { get; }

    /// <summary>An open connection, set up for the store's statements.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Brings the schema to the current version; safe when several processes start at once.</summary>
    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A transaction in which the caller alone may read the audit chain's last link and append the next.</summary>
    public abstract Task<DbTransaction> BeginAuditAppendAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// A statement (with its <c>;</c>) that takes the chain's lock inside that transaction, sent in the same round trip as the
    /// read of the last link; empty when <see cref="BeginAuditAppendAsync"/> took the lock already.
    /// </summary>
    public virtual string AuditChainLockStatement => "";

    /// <summary>The condition on <c>c</c> (session_commands) that a command contains the text in <c>@match</c> or <c>@like</c>.</summary>
    public abstract string CommandContains(int textLength);

    /// <summary>True for a violated unique, foreign-key or check constraint: a conflict with existing rows, not a failure of the store.</summary>
    public abstract bool IsConstraintViolation(DbException exception);

    /// <summary>The pattern match that ignores case: SQLite's LIKE does for ASCII, PostgreSQL needs ILIKE.</summary>
    public abstract string CaseInsensitiveLike { get; }

    public abstract ValueTask DisposeAsync();
}
