using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Fumidai.Recording.Storage;

/// <summary>An object store in an S3 bucket (AWS or S3-compatible) through AWSSDK.S3; credentials from the default AWS chain.</summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly S3ObjectStoreOptions _options;
    private readonly AmazonS3Client _client;
    private readonly string _prefix;

    /// <summary>Connects lazily (no request is made here); <paramref name="credentials"/> overrides the default chain (tests).</summary>
    public S3ObjectStore(S3ObjectStoreOptions options, AWSCredentials? credentials = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        _options = options;
        _prefix = string.IsNullOrEmpty(options.Prefix) ? "" : options.Prefix.Trim('/') + "/";
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            Timeout = options.Timeout,
            MaxErrorRetry = options.MaxErrorRetry,
            // Flexible checksums (CRC32 trailers, aws-chunked bodies) are not understood by every S3-compatible
            // server; TLS and SigV4 with a signed payload already protect each body.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        _client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    public string Description =>
        $"s3://{_options.Bucket}/{_prefix}" + (string.IsNullOrEmpty(_options.ServiceUrl) ? "" : $" at {_options.ServiceUrl}");

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string>? metadata = null,
        ObjectRetention? retention = null, CancellationToken cancellationToken = default)
    {
        ObjectLayout.ValidateKey(key);
        using var body = new MemoryStream(data.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = _prefix + key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = key.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream",
            UseChunkEncoding = false,
        };
        if (metadata is not null)
            foreach (var (name, value) in metadata) request.Metadata.Add(name, value);
        switch (_options.ServerSideEncryption)
        {
            case "AES256":
                request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
                break;
            case "aws:kms":
                request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
                if (!string.IsNullOrEmpty(_options.KmsKeyId)) request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
                break;
        }
        retention ??= string.IsNullOrEmpty(_options.ObjectLockMode) ? null : ObjectRetention.ForDays(_options.ObjectLockMode, _options.ObjectLockDays);
        if (retention is not null)
        {
            request.ObjectLockMode = retention.Mode == "COMPLIANCE" ? ObjectLockMode.Compliance : ObjectLockMode.Governance;
            request.ObjectLockRetainUntilDate = retention.RetainUntil.UtcDateTime;
        }
        await Call(key, () => _client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectLayout.ValidateKey(key);
        try
        {
            // The SDK checks the body against the object's checksum; a mismatch read while the same key is being
            // rewritten (an upload retry) is transient, so it is read again before it counts as a failure.
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    using var response = await _client.GetObjectAsync(_options.Bucket, _prefix + key, cancellationToken).ConfigureAwait(false);
                    using var buffer = new MemoryStream();
                    await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                    return buffer.ToArray();
                }
                catch (AmazonClientException ex) when (attempt < 3 && ex.Message.Contains("hash", StringComparison.OrdinalIgnoreCase))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey" || (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket"))
        {
            return null;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Explain(ex, key);
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _prefix + prefix };
        // Pages are bounded by the bucket's content; each page advances the continuation token.
        while (true)
        {
            var response = await Call(prefix, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
                yield return new ObjectInfo(o.Key[_prefix.Length..], o.Size ?? 0, o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime()) : default);
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken)) yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        Call(key, () => _client.DeleteObjectAsync(_options.Bucket, _prefix + key, cancellationToken));

    public async Task CheckWritableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await PutAsync(ObjectLayout.WriteProbeKey, "fumidai write probe\n"u8.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException ex)
        {
            throw new ObjectStoreException($"recording store {Description} is not writable: {ex.Message}", ex.InnerException);
        }
    }

    private async Task<T> Call<T>(string key, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Explain(ex, key);
        }
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is AmazonServiceException or AmazonClientException or HttpRequestException or SocketException or IOException
        || (ex is TaskCanceledException && ex.InnerException is TimeoutException);

    /// <summary>Turns SDK errors into one line an operator can act on; never includes credentials.</summary>
    private ObjectStoreException Explain(Exception ex, string key)
    {
        string where = $"s3://{_options.Bucket}/{_prefix}{key}";
        string message = ex switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => $"bucket '{_options.Bucket}' does not exist",
            AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired" } s =>
                $"credentials rejected ({s.ErrorCode}): check the AWS credential chain (environment, profile, instance role)",
            AmazonS3Exception { ErrorCode: "AccessDenied" } => $"access denied writing {where}: the IAM policy must allow s3:PutObject on this prefix",
            AmazonS3Exception s => $"{where}: {s.ErrorCode ?? ((int)s.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)} {s.Message}",
            AmazonClientException c when c.Message.Contains("credential", StringComparison.OrdinalIgnoreCase) =>
                "no AWS credentials found (environment, profile or instance role)",
            _ when Unreachable(ex) => $"endpoint {_options.ServiceUrl ?? "S3"} unreachable: {Innermost(ex).Message}",
            _ => $"{where}: {Innermost(ex).Message}",
        };
        return new ObjectStoreException(message, ex);
    }

    private static bool Unreachable(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is HttpRequestException or SocketException or TimeoutException or TaskCanceledException) return true;
        return false;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    public void Dispose() => _client.Dispose();
}
