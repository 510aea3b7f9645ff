using Amazon.Runtime;
using Amazon.S3;
using Fumidai.Recording.Storage;

namespace Fumidai.Testing;

/// <summary>The S3 endpoint for tests: FUMIDAI_TEST_S3_URL (started by scripts/test.sh), else an s3rver started here.</summary>
public sealed class S3Fixture : IDisposable
{
    /// <summary>s3rver's fixed test credentials.</summary>
    public static readonly BasicAWSCredentials Credentials = new("S3RVER", "S3RVER");

    private readonly S3rverProcess? _own;

    public S3Fixture()
    {
        string? url = Environment.GetEnvironmentVariable("FUMIDAI_TEST_S3_URL");
        if (string.IsNullOrEmpty(url))
        {
            _own = new S3rverProcess();
            url = _own.Url;
        }
        Url = url;
    }

    public string Url { get; }

    /// <summary>Creates a new empty bucket (one per test keeps tests independent).</summary>
    public static async Task<string> CreateBucketAsync(string url)
    {
        string bucket = "t" + Guid.NewGuid().ToString("N")[..20];
        using var client = new AmazonS3Client(Credentials, new AmazonS3Config { ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await client.PutBucketAsync(bucket);
        return bucket;
    }

    public static S3ObjectStore Store(string url, string bucket, string? prefix = "fumidai") =>
        new(new S3ObjectStoreOptions { ServiceUrl = url, Bucket = bucket, Prefix = prefix, ForcePathStyle = true, Region = "us-east-1", Timeout = TimeSpan.FromSeconds(5), MaxErrorRetry = 0 },
            Credentials);

    public void Dispose() => _own?.Dispose();
}
