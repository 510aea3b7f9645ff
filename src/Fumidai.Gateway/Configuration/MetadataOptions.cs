namespace Fumidai.Gateway.Configuration;

/// <summary>Where the bastion's metadata lives: the embedded SQLite file (one node) or a shared PostgreSQL (several nodes).</summary>
public sealed class MetadataOptions
{
    public const string SqliteProvider = "sqlite";

    public const string PostgresProvider = "postgres";

    /// <summary><c>sqlite</c> (default, <c>fumidai.db</c> in the data directory) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>The PostgreSQL database when <see cref="Provider"/> is <c>postgres</c> (keys <c>Metadata:Postgres:*</c>).</summary>
    public PostgresOptions Postgres { get; set; } = new();

    public bool IsPostgres => Provider == PostgresProvider;

    /// <summary>Each problem starts with the key it is about, so the caller can locate it.</summary>
    public IEnumerable<string> Validate()
    {
        if (Provider is not (SqliteProvider or PostgresProvider))
            yield return $"Metadata:Provider = '{Provider}' must be sqlite or postgres";
        else if (IsPostgres && string.IsNullOrWhiteSpace(Postgres.ConnectionString))
            yield return "Metadata:Postgres:ConnectionString must be set when Metadata:Provider is postgres"
                + " (e.g. in the environment variable FUMIDAI__Metadata__Postgres__ConnectionString)";
    }
}

/// <summary>How to reach the shared PostgreSQL database.</summary>
public sealed class PostgresOptions
{
    /// <summary>An Npgsql connection string; it holds a password, so it is never logged (prefer the environment variable).</summary>
    public string? ConnectionString { get; set; }
}
