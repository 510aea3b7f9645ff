using System.Text;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Keys;

public class OpenSshPrivateKeyFileTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("data to sign");

    /// <summary>ssh-keygen's -t value, -b value, and our key type name.</summary>
    public static TheoryData<string, int?, string, string> Cases => new()
    {
        { "ed25519", null, SshKeyTypes.Ed25519, "" },
        { "ed25519", null, SshKeyTypes.Ed25519, "correct horse" },
        { "ecdsa", 256, SshKeyTypes.EcdsaNistP256, "" },
        { "ecdsa", 384, SshKeyTypes.EcdsaNistP384, "pässphrase" },
        { "ecdsa", 521, SshKeyTypes.EcdsaNistP521, "" },
        { "ecdsa", 521, SshKeyTypes.EcdsaNistP521, "secret" },
        { "rsa", 2048, SshKeyTypes.Rsa, "" },
        { "rsa", 3072, SshKeyTypes.Rsa, "secret" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KeysMadeBySshKeygenLoadAndSign(string type, int? bits, string keyType, string passphrase)
    {
        using var keygen = new SshKeygen();
        var path = keygen.Generate(type, bits, passphrase);
        using var key = SshPrivateKey.Load(path, passphrase.Length == 0 ? null : passphrase);
        Assert.Equal(keyType, key.PublicKey.KeyType);
        OpenSshPrivateKeyFile.Parse(File.ReadAllText(path), passphrase, out var comment).Dispose();
        Assert.Equal("made-by-ssh-keygen", comment);

        var pub = SshPublicKey.ParseOpenSsh(File.ReadAllText(path + ".pub"), out var pubComment);
        Assert.Equal("made-by-ssh-keygen", pubComment);
        Assert.True(pub.BlobEquals(key.PublicKey));
        foreach (var algorithm in key.SignatureAlgorithms) Assert.True(pub.Verify(Data, key.Sign(algorithm, Data)));

        // The fingerprint is exactly what ssh-keygen -l prints.
        var listing = keygen.Run("-l", "-E", "sha256", "-f", path + ".pub").Stdout;
        Assert.Equal(listing.Split(' ')[1], pub.Fingerprint);

        if (passphrase.Length > 0)
        {
            var wrong = Assert.Throws<SshKeyFileException>(() => SshPrivateKey.Load(path, "wrong passphrase"));
            Assert.DoesNotContain("wrong passphrase\"", wrong.Message);
            Assert.DoesNotContain(passphrase, wrong.Message);
            Assert.Throws<SshKeyFileException>(() => SshPrivateKey.Load(path));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KeysWrittenHereAreReadBySshKeygen(string type, int? bits, string keyType, string passphrase)
    {
        _ = type;
        using var keygen = new SshKeygen();
        using var key = SshPrivateKey.Generate(keyType, keyType == SshKeyTypes.Rsa ? bits : null);
        var path = keygen.PathOf("ours");
        File.WriteAllText(path, OpenSshPrivateKeyFile.Format(key, "written-here", passphrase.Length == 0 ? null : passphrase));
        SshKeygen.WritePrivate(path);
        var derived = keygen.Run("-y", "-P", passphrase, "-f", path).Stdout;
        Assert.True(SshPublicKey.ParseOpenSsh(derived).BlobEquals(key.PublicKey));

        // And back: our own reader gives the same key, able to sign.
        using var again = SshPrivateKey.Load(path, passphrase.Length == 0 ? null : passphrase);
        Assert.True(again.PublicKey.BlobEquals(key.PublicKey));
        Assert.True(key.PublicKey.Verify(Data, again.Sign(again.SignatureAlgorithms[0], Data)));

        if (passphrase.Length > 0)
            Assert.NotEqual(0, keygen.Run(["-y", "-P", "not it", "-f", path], allowFailure: true).ExitCode);
    }

    [Fact]
    public void SshKeygenChangesPassphraseOfOurFile()
    {
        // ssh-keygen -p decrypts with our bcrypt_pbkdf output and re-encrypts with its own: both directions of the KDF agree.
        using var keygen = new SshKeygen();
        using var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var path = keygen.PathOf("ours");
        File.WriteAllText(path, OpenSshPrivateKeyFile.Format(key, "c", "first", rounds: 4));
        SshKeygen.WritePrivate(path);
        keygen.Run("-p", "-a", "20", "-P", "first", "-N", "second", "-f", path);
        using var loaded = SshPrivateKey.Load(path, "second");
        Assert.True(loaded.PublicKey.BlobEquals(key.PublicKey));
    }

    [Theory]
    [InlineData("rsa", "PKCS8")]
    [InlineData("rsa", "PEM")]
    [InlineData("ecdsa", "PKCS8")]
    [InlineData("ecdsa", "PEM")]
    public void PemAndPkcs8FilesLoad(string type, string format)
    {
        using var keygen = new SshKeygen();
        var path = keygen.PathOf("pem");
        keygen.Run("-q", "-t", type, "-m", format, "-N", "", "-f", path);
        var text = File.ReadAllText(path);
        Assert.Contains(format == "PKCS8" ? "BEGIN PRIVATE KEY" : (type == "rsa" ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY"), text);
        using var key = SshPrivateKey.Load(path);
        Assert.True(SshPublicKey.ParseOpenSsh(File.ReadAllText(path + ".pub")).BlobEquals(key.PublicKey));
    }

    [Fact]
    public void EncryptedPkcs8LoadsWithPassphrase()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = rsa.ExportEncryptedPkcs8PrivateKeyPem("pw", new System.Security.Cryptography.PbeParameters(
            System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 10_000));
        using var key = SshPrivateKey.Parse(pem, "pw", out _);
        Assert.Equal(SshKeyTypes.Rsa, key.PublicKey.KeyType);
        Assert.Throws<SshKeyFileException>(() => SshPrivateKey.Parse(pem, "nope", out _));
        Assert.Throws<SshKeyFileException>(() => SshPrivateKey.Parse(pem, null, out _));
    }

    [Fact]
    public void DamagedFilesThrowKeyFileException()
    {
        using var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        var text = OpenSshPrivateKeyFile.Format(key, "c");
        var lines = text.Split('\n');
        lines[2] = new string('A', lines[2].Length);
        Assert.Throws<SshKeyFileException>(() => OpenSshPrivateKeyFile.Parse(string.Join('\n', lines), null, out _));
        Assert.Throws<SshKeyFileException>(() => OpenSshPrivateKeyFile.Parse("garbage", null, out _));
        Assert.Throws<SshKeyFileException>(() => SshPrivateKey.Parse("garbage", null, out _));
    }
}
