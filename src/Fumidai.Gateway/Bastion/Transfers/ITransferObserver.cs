namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>Watches a file-transfer session's bytes (sftp, legacy scp) to audit each file: path, size, SHA-256.</summary>
public interface ITransferObserver
{
    /// <summary>True once the bytes stopped following the protocol: from then on the relay records them as they are.</summary>
    bool Lost { get; }

    void FromClient(ReadOnlySpan<byte> data);

    void FromServer(ReadOnlySpan<byte> data);

    /// <summary>The session ended: reports what was left unfinished.</summary>
    void Complete();
}
