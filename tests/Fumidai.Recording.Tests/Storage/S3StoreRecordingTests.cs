using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>The shared recording tests on S3, against s3rver.</summary>
public sealed class S3StoreRecordingTests(S3Fixture s3) : StoreRecordingTests, IClassFixture<S3Fixture>
{
    protected override async Task<IObjectStore> CreateStoreAsync() => S3Fixture.Store(s3.Url, await S3Fixture.CreateBucketAsync(s3.Url));
}
