namespace Fumidai.Ssh.Keys;

/// <summary>A key file could not be read: wrong or missing passphrase, unsupported format, or damaged content.</summary>
/// <remarks>Messages never contain the passphrase or key material.</remarks>
public sealed class SshKeyFileException : Exception
{
    public SshKeyFileException(string message) : base(message)
    {
    }

    public SshKeyFileException(string message, Exception inner) : base(message, inner)
    {
    }
}
