namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>Watches a file-transfer session's bytes (sftp, legacy scp) to audit each file: path, size, SHA-256.</summary>
public interface ITransferObserver
{
    void FromClient(ReadOnlySpan<byte> data);

    void FromServer(ReadOnlySpan<byte> data);
}
