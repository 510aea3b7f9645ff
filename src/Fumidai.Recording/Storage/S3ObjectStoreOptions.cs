namespace Fumidai.Recording.Storage;

/// <summary>Where and how <see cref="S3ObjectStore"/> writes: the <c>Recording:S3:*</c> configuration keys.</summary>
public sealed class S3ObjectStoreOptions
{
    public string Bucket { get; set; } = "";

    /// <summary>Key prefix inside the bucket (e.g. <c>fumidai/prod</c>); the bastion's IAM policy allows writes only below it.</summary>
    public string? Prefix { get; set; }

    public string? Region { get; set; }

    /// <summary>Endpoint of an S3-compatible server (MinIO, s3rver, Ceph); empty for AWS.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary><c>AES256</c> or <c>aws:kms</c> (with <see cref="KmsKeyId"/>); empty for the bucket default.</summary>
    public string? ServerSideEncryption { get; set; }

    public string? KmsKeyId { get; set; }

    /// <summary><c>GOVERNANCE</c> or <c>COMPLIANCE</c>: Object Lock retention requested on every object written.</summary>
    public string? ObjectLockMode { get; set; }

    public int ObjectLockDays { get; set; }

    /// <summary>Per-request timeout; an unreachable endpoint fails the start check within about this time.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SDK-level retries per call; the spool uploader retries on top of these with its own backoff.</summary>
    public int MaxErrorRetry { get; set; } = 2;

    /// <summary>Checks the combination; returns the problems in configuration-key terms.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Bucket)) errors.Add("Recording:S3:Bucket is required when Recording:Store = s3");
        if (ServerSideEncryption is { Length: > 0 } sse && sse is not ("AES256" or "aws:kms"))
            errors.Add($"Recording:S3:ServerSideEncryption = '{sse}' must be AES256 or aws:kms");
        if (!string.IsNullOrEmpty(KmsKeyId) && ServerSideEncryption != "aws:kms")
            errors.Add("Recording:S3:KmsKeyId needs Recording:S3:ServerSideEncryption = aws:kms");
        if (ObjectLockMode is { Length: > 0 } mode)
        {
            if (mode is not ("GOVERNANCE" or "COMPLIANCE"))
                errors.Add($"Recording:S3:ObjectLockMode = '{mode}' must be GOVERNANCE or COMPLIANCE");
            if (ObjectLockDays <= 0) errors.Add("Recording:S3:ObjectLockDays must be a positive number of days with ObjectLockMode");
        }
        if (ServiceUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            errors.Add($"Recording:S3:ServiceUrl = '{url}' is not an absolute URL");
        return errors;
    }
}
