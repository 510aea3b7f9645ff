namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>One file operation seen in an sftp or scp session, for the audit log (PCI DSS 10.2).</summary>
/// <param name="Operation">upload, download, remove, rename, mkdir, rmdir.</param>
/// <param name="Sha256">Hex SHA-256 of the bytes transferred in file order, or null when they were not sequential.</param>
public sealed record FileTransfer(string Operation, string Path, long Bytes, string? Sha256, string? Detail = null);
