using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway;

/// <summary>The bastion's state on disk: configuration, SQLite database (unless the metadata is in PostgreSQL), keys, master key, recordings.</summary>
public sealed partial class DataDirectory
{
    public const string EnvironmentVariable = "FUMIDAI_DATA";

    public DataDirectory(string root) => Root = Path.GetFullPath(root);

    /// <summary>--data, else $FUMIDAI_DATA, else ./fumidai-data.</summary>
    public static DataDirectory Resolve(string? option)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (option is not null) return new DataDirectory(option) { Origin = "--data" };
        if (!string.IsNullOrEmpty(fromEnvironment)) return new DataDirectory(fromEnvironment) { Origin = "$" + EnvironmentVariable };
        return new DataDirectory("fumidai-data") { Origin = $"the default ./fumidai-data of the current directory (no --data, no ${EnvironmentVariable})" };
    }

    /// <summary>How this directory was chosen, for messages that must say where a command looked.</summary>
    public string Origin { get; init; } = "--data";

    public string Root { get; }

    public string ConfigurationPath => Path.Combine(Root, "fumidai.json");

    public string DatabasePath => Path.Combine(Root, "fumidai.db");

    /// <summary><c>Secrets:MasterKeyFile</c> (default <c>master.key</c> here); the default when the configuration cannot be read.</summary>
    public string MasterKeyPath
    {
        get
        {
            string file = "master.key";
            try
            {
                file = ConfigurationLoader.Load(ConfigurationPath).Secrets.MasterKeyFile;
            }
            catch (ConfigurationException)
            {
                // Whoever opens the store next reports the configuration's problems; the key's place is only a guess then.
            }
            return Path.GetFullPath(Path.Combine(Root, string.IsNullOrWhiteSpace(file) ? "master.key" : file));
        }
    }

    public string UserCaKeyPath => Path.Combine(Root, "user_ca");

    public string AuditKeyPath => Path.Combine(Root, "audit_signing_key");

    public string RecordingsPath => Path.Combine(Root, "recordings");

    /// <summary>Recordings and audit chunks not in the object store yet (created on first use, owner-only).</summary>
    public string SpoolPath => Path.Combine(Root, "spool");

    /// <summary>The audit key's public half, which <c>fumidai verify</c> checks manifests against.</summary>
    public string AuditPublicKeyPath => AuditKeyPath + ".pub";

    public IReadOnlyList<string> HostKeyPaths => [Path.Combine(Root, "host_ed25519"), Path.Combine(Root, "host_rsa")];

    /// <summary>True once <c>fumidai init</c> ran here (with PostgreSQL there is no database file, only the configuration).</summary>
    public bool IsInitialized => File.Exists(MasterKeyPath) && (File.Exists(DatabasePath) || File.Exists(ConfigurationPath));

    /// <summary>Creates everything <c>init</c> promises, owner-only whatever the umask; refuses a folder that already has content.</summary>
    public async Task<MetadataStore> InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(Root) && Directory.EnumerateFileSystemEntries(Root).Any())
            throw new InvalidOperationException($"{Root} already exists and is not empty; refusing to touch it");
        Directory.CreateDirectory(Root, OwnerOnlyFiles.DirectoryMode);
        // An empty folder made beforehand (mkdir, a volume mount) keeps its own mode unless told.
        File.SetUnixFileMode(Root, OwnerOnlyFiles.DirectoryMode);
        Directory.CreateDirectory(RecordingsPath, OwnerOnlyFiles.DirectoryMode);
        var metadata = ConfigurationLoader.Load(ConfigurationPath).Metadata;
        if (metadata.IsPostgres) return await InitializeClusterNodeAsync(metadata, cancellationToken).ConfigureAwait(false);
        WriteKey(HostKeyPaths[0], "ssh-ed25519", null, "fumidai host key");
        WriteKey(HostKeyPaths[1], "ssh-rsa", 3072, "fumidai host key");
        WriteKey(UserCaKeyPath, "ssh-ed25519", null, "fumidai user CA");
        WriteKey(AuditKeyPath, "ssh-ed25519", null, "fumidai audit signing key");
        EnsureAuthorities();
        SecretProtector.Create(MasterKeyPath);
        // No file yet: the defaults and the environment said which provider this data directory is for.
        OwnerOnlyFiles.WriteNew(ConfigurationPath, ConfigurationLoader.DefaultFileText(metadata.Provider));
        // SQLite creates a database 0644 less the umask, and its -wal and -shm files with the database's mode: an empty file made
        // 0600 here is a valid empty database and gives all three the right mode.
        OwnerOnlyFiles.WriteNew(DatabasePath, "");
        return await MetadataStore.OpenAsync(DatabasePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first entry in the data directory (itself included) that group or others may use; null when all are owner-only.</summary>
    public (string Path, UnixFileMode Mode)? FindNotOwnerOnly() => OwnerOnlyFiles.FindNotOwnerOnly(Root);

    private static void WriteKey(string path, string type, int? bits, string comment)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        WriteKeyFiles(path, OpenSshPrivateKeyFile.Format(key, comment), key.PublicKey.ToOpenSsh(comment));
    }

    /// <summary>A private key file and its <c>.pub</c>, both new and owner-only.</summary>
    private static void WriteKeyFiles(string path, string privateKeyText, string publicKeyLine)
    {
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OwnerOnlyFiles.FileMode,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(privateKeyText);
        }
        // Public, but owner-only like everything here, so one rule holds for the whole directory.
        OwnerOnlyFiles.WriteNew(path + ".pub", publicKeyLine + "\n");
    }

    /// <summary>Opens an initialised folder, or explains how to create one.</summary>
    public async Task<MetadataStore> OpenStoreAsync(CancellationToken cancellationToken = default)
    {
        if (!IsInitialized)
            throw new InvalidOperationException($"{Root} is not a Fumidai data directory; run `fumidai init --data {Root}` first");
        var metadata = LoadOptions().Metadata;
        // Opening a missing file would create an empty database and hide every user: a provider set wrongly must say so.
        if (!metadata.IsPostgres && !File.Exists(DatabasePath))
            throw new ConfigurationException($"{DatabasePath} does not exist; if this data directory keeps its metadata in PostgreSQL, "
                + "set Metadata:Provider = postgres (FUMIDAI__Metadata__Provider) and its connection string");
        return await MetadataStore.OpenAsync(metadata, DatabasePath, cancellationToken).ConfigureAwait(false);
    }

    public FumidaiOptions LoadOptions() => ConfigurationLoader.Load(ConfigurationPath);

    /// <summary>
    /// Takes the data directory for one <c>serve</c> process: a second one would take the first one's live spool for a
    /// crashed one and finalise its recordings as interrupted. Held until the returned handle is disposed.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds it.</exception>
    public FileStream LockForServe()
    {
        string path = Path.Combine(Root, "serve.lock");
        string pidPath = Path.Combine(Root, "serve.pid");
        FileStream? handle = null;
        // A few tries: a reader probing the lock (IsServeRunning) holds it shared for an instant.
        for (int attempt = 0; handle is null; attempt++)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock (flock) on Linux, released by the kernel if the process dies.
                handle = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (attempt < 4)
            {
                Thread.Sleep(50);
            }
            catch (IOException)
            {
                throw new DataDirectoryInUseException($"another fumidai serve ({ReadHolder(pidPath)}) is using {Root}; stop it first");
            }
        }
        // The pid sits beside the lock, not in it: .NET takes a shared flock to open any file for reading, which the
        // holder's exclusive one refuses, so a second serve could never read it from the lock file. A stale file left
        // by a crash is harmless: it is read only while a live holder has the lock, and the holder rewrote it.
        File.WriteAllText(pidPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return handle;
    }

    /// <summary>Whether a <c>serve</c> holds this data directory now (so the recordings it marks running have a live writer).</summary>
    /// <remarks>Probes with a shared lock, which the holder's exclusive one refuses; a serve taking the lock in that instant
    /// retries (see <see cref="LockForServe"/>).</remarks>
    public bool IsServeRunning()
    {
        string path = Path.Combine(Root, "serve.lock");
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ReadHolder(string pidPath)
    {
        try
        {
            string text = File.ReadAllText(pidPath).Trim();
            return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                ? $"pid {pid}"
                : "pid unknown";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "pid unknown";
        }
    }

    public SecretProtector LoadProtector() => SecretProtector.Load(MasterKeyPath);

    public IReadOnlyList<SshPrivateKey> LoadHostKeys() => HostKeyPaths.Where(File.Exists).Select(p => SshPrivateKey.Load(p)).ToArray();

    public SshPrivateKey LoadUserCa() => SshPrivateKey.Load(UserCaKeyPath);

    public SshPrivateKey LoadAuditKey() => SshPrivateKey.Load(AuditKeyPath);
}
