using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway;

/// <remarks>
/// Nodes sharing a PostgreSQL database are one bastion to clients, targets and auditors: the same host keys, user CA,
/// login and host CAs and audit key. The database holds them sealed with the master key (AES-256-GCM, the key's name
/// bound as associated data); each node writes them into its own data directory, where every reader of key files finds
/// them as on a single node. A single SQLite node keeps its key files as the only copy.
/// </remarks>
public sealed partial class DataDirectory
{
    /// <summary>The shared keys, by file name in the data directory, with what to make when a new cluster has none.</summary>
    private static readonly (string Name, string Type, int? Bits, string Comment)[] ClusterKeyFiles =
    [
        ("host_ed25519", "ssh-ed25519", null, "fumidai host key"),
        ("host_rsa", "ssh-rsa", 3072, "fumidai host key"),
        ("user_ca", "ssh-ed25519", null, "fumidai user CA"),
        ("login_ca", "ssh-ed25519", null, "fumidai login CA"),
        ("host_ca", "ssh-ed25519", null, "fumidai host CA"),
        ("audit_signing_key", "ssh-ed25519", null, "fumidai audit signing key"),
    ];

    /// <summary>Set by <see cref="InitializeAsync"/>: the database already held a cluster's keys, and this node took them.</summary>
    public bool JoinedCluster { get; private set; }

    /// <summary>
    /// Makes this node use the cluster's keys: a key the database has is written here (a different key already here is
    /// refused); a key it lacks is taken from here (a node that ran alone before) or made, and stored for the others. Of
    /// two nodes doing this at once, the first stored key wins and both use it. Returns how many keys came from the cluster.
    /// </summary>
    /// <exception cref="ConfigurationException">The master key does not open the stored keys, or a local key differs.</exception>
    public async Task<int> SyncClusterKeysAsync(MetadataStore store, SecretProtector protector, CancellationToken cancellationToken = default)
    {
        int taken = 0;
        foreach (var (name, type, bits, comment) in ClusterKeyFiles)
        {
            string path = Path.Combine(Root, name);
            var stored = await store.GetClusterKeyAsync(name, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                var (text, publicLine) = File.Exists(path) ? ReadKeyFiles(path) : NewKeyText(type, bits, comment);
                await store.TryAddClusterKeyAsync(new ClusterKeyRecord(name, publicLine, protector.Protect(Encoding.UTF8.GetBytes(text), KeyPurpose(name)),
                    DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
                stored = await store.GetClusterKeyAsync(name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the cluster key {name} vanished from the metadata database after it was stored");
            }
            string privateText = Open(stored, protector);
            var clusterKey = SshPublicKey.ParseOpenSsh(stored.PublicKey);
            if (File.Exists(path))
            {
                using var local = SshPrivateKey.Load(path);
                if (!local.PublicKey.BlobEquals(clusterKey))
                    throw new ConfigurationException($"{path} ({local.PublicKey.Fingerprint}) is not the cluster's {name} ({clusterKey.Fingerprint}): "
                        + "a node presents the cluster's keys only; remove this node's key files so it takes the cluster's, or check that "
                        + "Metadata:Postgres:ConnectionString names this cluster's database");
                continue;
            }
            WriteKeyFiles(path, privateText, stored.PublicKey);
            taken++;
        }
        return taken;
    }

    private string Open(ClusterKeyRecord stored, SecretProtector protector)
    {
        try
        {
            return Encoding.UTF8.GetString(protector.Unprotect(stored.SealedPrivateKey, KeyPurpose(stored.Name)));
        }
        catch (CryptographicException)
        {
            throw new ConfigurationException($"the master key {MasterKeyPath} does not open the cluster's keys in the metadata database: "
                + "every node of a cluster needs the cluster's master key (copy it, or point Secrets:MasterKeyFile at it); "
                + "this node refuses to start with another");
        }
    }

    private static string KeyPurpose(string name) => "cluster-key:" + name;

    private static (string Text, string PublicLine) ReadKeyFiles(string path)
    {
        string text = File.ReadAllText(path);
        if (File.Exists(path + ".pub")) return (text, File.ReadAllText(path + ".pub").Trim());
        using var key = SshPrivateKey.Parse(text, null, out string comment);
        return (text, key.PublicKey.ToOpenSsh(comment));
    }

    private static (string Text, string PublicLine) NewKeyText(string type, int? bits, string comment)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        return (OpenSshPrivateKeyFile.Format(key, comment), key.PublicKey.ToOpenSsh(comment));
    }

    /// <summary>
    /// <c>init</c> of a node on PostgreSQL: the first node makes the cluster's keys and stores them; a later one finds them
    /// and takes them (it never makes a second CA or host key). A failure leaves the data directory empty again, so
    /// <c>init</c> can simply be run again once the cause is fixed.
    /// </summary>
    private async Task<MetadataStore> InitializeClusterNodeAsync(MetadataOptions metadata, CancellationToken cancellationToken)
    {
        bool madeMasterKey = !File.Exists(MasterKeyPath);
        if (madeMasterKey) SecretProtector.Create(MasterKeyPath);
        MetadataStore? store = null;
        try
        {
            OwnerOnlyFiles.WriteNew(ConfigurationPath, ConfigurationLoader.DefaultFileText(metadata.Provider));
            store = await MetadataStore.OpenAsync(metadata, DatabasePath, cancellationToken).ConfigureAwait(false);
            JoinedCluster = await store.HasClusterKeysAsync(cancellationToken).ConfigureAwait(false);
            if (JoinedCluster && madeMasterKey)
                throw new ConfigurationException($"the metadata database already holds a cluster's keys, and this node had no master key at "
                    + $"{MasterKeyPath}: copy the cluster's master key there (or point Secrets:MasterKeyFile at it) and run init again");
            await SyncClusterKeysAsync(store, LoadProtector(), cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            if (store is not null) await store.DisposeAsync().ConfigureAwait(false);
            foreach (string entry in Directory.EnumerateFileSystemEntries(Root))
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            if (madeMasterKey && File.Exists(MasterKeyPath)) File.Delete(MasterKeyPath);
            throw;
        }
    }
}
