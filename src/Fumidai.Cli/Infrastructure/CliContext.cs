using Fumidai.Gateway;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Recordings;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Infrastructure;

/// <summary>One command's run: the data directory it works on, its opened store, and audit helpers.</summary>
public sealed class CliContext
{
    /// <summary>The audit source of every CLI event; the OS account running it is in the <c>actor</c> detail.</summary>
    public const string AuditSource = "cli";

    private MetadataStore? _store;
    private AuditLog? _audit;
    private IObjectStore? _recordings;

    public CliContext(CliRuntime runtime, DataDirectory data, CancellationToken cancellationToken)
    {
        Runtime = runtime;
        Data = data;
        CancellationToken = cancellationToken;
    }

    public CliRuntime Runtime { get; }

    public DataDirectory Data { get; }

    public CancellationToken CancellationToken { get; }

    public TextWriter Out => Runtime.Console.Out;

    public TextWriter Error => Runtime.Console.Error;

    /// <summary>Unescaped stdout, for <c>sessions play</c> only: its output is a terminal stream by design.</summary>
    public TextWriter RawOut => Runtime.Console.RawOut;

    public TextReader In => Runtime.Console.In;

    /// <summary>The validated configuration, read when the store is opened.</summary>
    public FumidaiOptions Options { get; private set; } = new();

    /// <summary>Opens the metadata store of an initialised data directory, validating its configuration first.</summary>
    public async Task<MetadataStore> OpenStoreAsync()
    {
        if (_store is not null) return _store;
        if (!Data.IsInitialized) throw DataDirectoryProblem.Explain(Data);
        // A broken fumidai.json is reported by every command, not only by serve, so an admin notices early.
        Options = Data.LoadOptions();
        _store = await Data.OpenStoreAsync(CancellationToken).ConfigureAwait(false);
        return _store;
    }

    /// <summary>The object store holding recordings (<c>Recording:Store</c>), opened once; needs <see cref="OpenStoreAsync"/> first.</summary>
    /// <remarks>For S3, reading needs the auditor's credentials (the bastion's policy only writes).</remarks>
    public IObjectStore RecordingStore() => _recordings ??= RecordingStores.Open(Options.Recording, Data);

    /// <summary>Adopts a store created by <c>init</c>.</summary>
    public void UseStore(MetadataStore store) => _store = store;

    /// <summary>The audit log of the opened store.</summary>
    public async Task<AuditLog> AuditAsync() => _audit ??= new AuditLog(await OpenStoreAsync().ConfigureAwait(false));

    /// <summary>User changes by the OS account running the CLI, with the rules shared with the console.</summary>
    public async Task<UserAdministration> UsersAsync() =>
        new(await OpenStoreAsync().ConfigureAwait(false), await AuditAsync().ConfigureAwait(false), Actor);

    /// <summary>Who makes a change through the CLI: the OS account, with the <c>cli</c> source.</summary>
    public static AdminActor Actor => new(Environment.UserName, AuditSource);

    /// <summary>Audits a change made with the CLI (<see cref="AuditTypes.AdminChange"/>), naming the action and the OS account.</summary>
    public Task RecordChangeAsync(string action, string? user = null, string? target = null, IReadOnlyDictionary<string, string>? details = null) =>
        RecordAsync(AuditTypes.AdminChange, action, user, target, details);

    /// <summary>Audits an event of the given type made through the CLI.</summary>
    public async Task RecordAsync(string type, string action, string? user = null, string? target = null,
        IReadOnlyDictionary<string, string>? details = null)
    {
        var audit = await AuditAsync().ConfigureAwait(false);
        await Actor.RecordAsync(audit, type, action, user, target, details, CancellationToken).ConfigureAwait(false);
    }
}
