using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Fumidai.Testing;

/// <summary>
/// A private PostgreSQL 15 (Debian's initdb and pg_ctl) in a temporary folder on a free 127.0.0.1 port, run as the
/// unprivileged <c>postgres</c> account when the tests run as root, stopped by pg_ctl or its PID. Missing PostgreSQL is a
/// failure, never a skip: CI installs it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private static int s_databases;
    private string? _directory;

    public int Port { get; private set; }

    private string DataPath => Path.Combine(_directory!, "data");

    /// <summary>A fresh server, started.</summary>
    public static async Task<PostgresServer> StartNewAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({BinDirectory}/initdb): apt-get install postgresql");
        _directory = Directory.CreateTempSubdirectory("fumidai-pg-").FullName;
        if (IsRoot) await RunAsync("chown", ["postgres:postgres", _directory], asPostgres: false);
        Port = FreePort();
        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataPath, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], asPostgres: true);
        await StartAsync();
    }

    /// <summary>Starts (again) on the same port and data, waiting until it accepts connections.</summary>
    public Task StartAsync() => RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
        ["start", "-D", DataPath, "-l", Path.Combine(_directory!, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"],
        asPostgres: true);

    /// <summary>Stops the server (fast shutdown: clients are disconnected), by pg_ctl, else by the postmaster's PID.</summary>
    public async Task StopAsync()
    {
        if (_directory is null || !File.Exists(Path.Combine(DataPath, "postmaster.pid"))) return;
        try
        {
            await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["stop", "-D", DataPath, "-m", "fast", "-w", "-t", "30"], asPostgres: true);
        }
        catch (InvalidOperationException)
        {
            if (PostmasterPid() is { } pid)
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
    }

    /// <summary>A connection string for a new, empty database of its own.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = "fumidai_" + Interlocked.Increment(ref s_databases).ToString(CultureInfo.InvariantCulture) + "_"
            + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database};Timeout=15";

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopAsync();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private int? PostmasterPid()
    {
        try
        {
            string first = File.ReadLines(Path.Combine(DataPath, "postmaster.pid")).FirstOrDefault() ?? "";
            return int.TryParse(first.Trim(), CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var (file, args) = asPostgres && IsRoot ? ("runuser", new[] { "-u", "postgres", "--", program }.Concat(arguments).ToArray()) : (program, arguments.ToArray());
        var result = await ProcessRunner.RunAsync(file, args, TimeSpan.FromSeconds(90));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({result.ExitCode}): {result.StandardError}{result.Output}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
