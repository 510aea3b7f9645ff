using Fumidai.Gateway.Configuration;
using Fumidai.Recording.Storage;

namespace Fumidai.Gateway.Recordings;

/// <summary>Opens the object store that <c>Recording:Store</c> names: the data directory's recordings folder or an S3 bucket.</summary>
public static class RecordingStores
{
    public static IObjectStore Open(RecordingOptions options, DataDirectory data) => options.Store switch
    {
        "s3" => new S3ObjectStore(options.S3),
        _ => new FileObjectStore(data.RecordingsPath),
    };
}
